import * as pty from '@lydell/node-pty';
import {OutputWaiters} from './outputWaiters';
import type {FixtureProject} from './fixtureProject';
import {jestEnv} from './jestProcess';

/** Jest's interactive keys, as a terminal sends them. */
export const ENTER = '\r';

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>78]/g;

/**
 * A long-lived jest (`--watch`, `--watchAll`) in a pseudo-terminal, driven as a person
 * drives it: Jest reads single key presses in raw mode and redraws the screen.
 */
export class TerminalJest {
  /** Everything printed so far, escape sequences removed. */
  output = '';
  exited = false;
  private readonly term: pty.IPty;
  private readonly waiters = new OutputWaiters({exited: () => this.exited, output: () => this.output});

  constructor(project: FixtureProject, bin: string, args: string[], env: Record<string, string | undefined> = {}) {
    this.term = pty.spawn(
      process.execPath,
      [bin, '--ci=false', '--cacheDirectory', project.cacheDir, ...args],
      {cwd: project.dir, env: jestEnv(project, env) as Record<string, string>, cols: 120, rows: 40},
    );
    const wake = () => this.waiters.wake();
    this.term.onData(data => {
      this.output += data.replace(ANSI, '');
      wake();
    });
    this.term.onExit(() => {
      this.exited = true;
      wake();
    });
  }

  /** Sends keys (a key press, or the text typed at a prompt). */
  press(keys: string): void {
    this.term.write(keys);
  }

  /** Resolves once `predicate` holds; rejects after `timeoutMs` or if jest exits first. */
  waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return this.waiters.waitFor(predicate, timeoutMs, what);
  }

  /** Quits watch mode with `q`; if jest does not exit, kills its process group (workers too). */
  async quit(): Promise<void> {
    if (this.exited) return;
    this.press('q');
    await this.waitFor(() => this.exited, 5000, 'jest to quit').catch(() => {
      try {
        // The terminal's process leads its own group.
        process.kill(-this.term.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    });
  }
}
