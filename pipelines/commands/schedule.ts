// gov-reports schedule: stay in the foreground and call `run` on a cron schedule (croner), for hosts
// where a long-lived service (systemd, a container) is simpler than a crontab line. Runs never
// overlap: a tick that comes while the previous run is still going is skipped, and the data
// directory's lock keeps out runs started elsewhere.
import { Option, type Command } from 'commander';
import { Cron } from 'croner';
import { logMessage } from '../cliOutput.ts';
import { parsePositiveInteger } from '../cliSupport.ts';
import { addCrawlOptions, crawlFromCli, type CrawlCliOptions } from '../crawl/cliOptions.ts';

export const DEFAULT_SCHEDULE = '30 2 * * *';
export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

interface ScheduleOptions extends CrawlCliOptions {
  cron: string;
  timezone: string;
  maxRuns?: number;
}

export function register(program: Command): void {
  addCrawlOptions(
    program
      .command('schedule')
      .description(`call \`run\` on a cron schedule and stay in the foreground (default "${DEFAULT_SCHEDULE}", 02:30 every night, ${DEFAULT_TIMEZONE})`)
      .addOption(new Option('--cron <pattern>', 'cron pattern (5 fields, or 6 with seconds)').default(DEFAULT_SCHEDULE))
      .addOption(new Option('--timezone <tz>', 'IANA time zone of the pattern').default(DEFAULT_TIMEZONE))
      .option('--max-runs <n>', 'stop after this many runs (default: run until stopped)', parsePositiveInteger),
  ).action(async (options: ScheduleOptions, command: Command) => {
    let failures = 0;
    let finish: () => void = () => {};
    const done = new Promise<void>((resolve) => (finish = resolve));
    const tick = async (job: Cron) => {
      logMessage('info', 'scheduled run starting');
      try {
        await crawlFromCli('run', { ...options, strict: false }, command);
      } catch (error) {
        // One failed night (the warehouse held all night, a full disk) must not end the schedule.
        failures++;
        logMessage('error', `scheduled run failed: ${(error as Error).message}`);
      }
      const next = job.nextRun();
      if (next) logMessage('info', `next run: ${next.toISOString()} (${options.cron}, ${options.timezone})`);
      else finish();
    };
    let job: Cron;
    try {
      job = new Cron(options.cron, { timezone: options.timezone, protect: true, maxRuns: options.maxRuns, paused: true }, tick);
    } catch (error) {
      return command.error(`error: invalid --cron "${options.cron}" or --timezone "${options.timezone}": ${(error as Error).message}`, { exitCode: 2 });
    }
    const stop = () => {
      job.stop();
      finish();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    logMessage('info', `scheduled: ${options.cron} (${options.timezone})`, { firstRun: job.nextRun()?.toISOString() ?? null });
    job.resume();
    await done;
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (failures > 0) process.exitCode = 1;
  });
}
