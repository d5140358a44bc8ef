// Bump when extraction or mapping output changes: the warehouse keys reloads on
// (document sha256, extractor version), and the nightly run re-extracts archived bodies
// whose records were made by an older version.
export const EXTRACTOR_VERSION = '1.0.0';
