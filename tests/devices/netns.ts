/**
 * A private network namespace for tests that need multicast (mDNS): its own loopback with the MULTICAST flag
 * and a route for 224.0.0.0/4, so agents and the app inside it can discover each other without touching the
 * machine's real interfaces. Needs root and iproute2, as CI has.
 */
import { execFileSync } from 'node:child_process';

export function createNetns(name: string): { name: string; exec: (cmd: string[]) => string[]; remove: () => void } {
  const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8' });
  try { ip('netns', 'del', name); } catch { /* not there */ }
  ip('netns', 'add', name);
  ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
  ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'multicast', 'on');
  ip('netns', 'exec', name, 'ip', 'route', 'add', '224.0.0.0/4', 'dev', 'lo');
  return {
    name,
    exec: (cmd) => ['ip', 'netns', 'exec', name, ...cmd],
    remove: () => { try { ip('netns', 'del', name); } catch { /* already gone */ } },
  };
}
