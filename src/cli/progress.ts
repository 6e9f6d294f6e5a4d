/**
 * Progress reporting for long CLI work: a bar on an interactive terminal, one line per task
 * otherwise (logs and CI stay readable). Everything goes to stderr so stdout stays parseable.
 */
import cliProgress from 'cli-progress';

export interface ProgressTask {
  update(fraction: number, label?: string): void;
  done(summary?: string): void;
}

export function progress(title: string, stream: NodeJS.WriteStream = process.stderr): ProgressTask {
  if (!stream.isTTY || process.env.PLUMETRACE_NO_PROGRESS) {
    stream.write(`${title} …\n`);
    return {
      update: () => {},
      done: (summary) => {
        if (summary) stream.write(`${title}: ${summary}\n`);
      },
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream, format: `${title.padEnd(28)} {bar} {percentage}% {label}`, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1000, 0, { label: '' });
  return {
    update: (fraction, label = '') => bar.update(Math.round(Math.min(1, Math.max(0, fraction)) * 1000), { label }),
    done: (summary = '') => {
      bar.update(1000, { label: summary });
      bar.stop();
    },
  };
}
