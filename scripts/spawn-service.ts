// Starts a server for the bench and the soak with the environment and flags `npm start` gives it (read from package.json), so they
// measure that process; a run that fails part-way does not leave it behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * What `npm start` gives the server, read from its script `env NAME=value ... node <flags> bin/...`: the glibc malloc
 * settings that let RSS fall back after large requests, and --expose-gc for the collection after idle.
 */
function startScript(): { env: Record<string, string>; flags: string[] } {
  const start: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start;
  const assignments = /\benv\s+((?:[A-Z_]+=\S+\s+)+)node\b/.exec(start)?.[1] ?? '';
  const flags = /\bnode\s+((?:--\S+\s+)*)bin\//.exec(start)?.[1].trim() ?? '';
  return {
    env: Object.fromEntries([...assignments.matchAll(/([A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]])),
    flags: flags ? flags.split(/\s+/) : [],
  };
}

/** `node <args>` on 127.0.0.1:`port`, errors only in its log, killed when this process exits. The launcher gets npm start's flags. */
export function spawnService(args: string[], port: number, env: Record<string, string> = {}): ChildProcess {
  const start = startScript();
  const child = spawn(process.execPath, args[0] === 'bin/brain-mri.js' ? [...start.flags, ...args] : args, {
    cwd: ROOT,
    env: { ...process.env, ...start.env, ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  process.once('exit', () => child.kill('SIGKILL'));
  return child;
}
