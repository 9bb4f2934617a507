import { readFileSync } from 'node:fs';

/** What Linux says about one process at one moment: resident memory and CPU time used so far. */
export interface ProcessUsage {
  /** Resident set size (VmRSS), bytes. */
  rssBytes: number;
  /** Peak resident set size since the process started (VmHWM), bytes. */
  peakRssBytes: number;
  /** User + system CPU time since the process started, seconds. */
  cpuSeconds: number;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on every Linux this runs on). */
const USER_HZ = 100;

/** `VmRSS:   123456 kB` → 126418944 (bytes); 0 when the field is missing. */
export function statusField(status: string, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

/**
 * utime + stime of /proc/<pid>/stat, in seconds. The command name (field 2) may hold spaces and
 * parentheses, so the fields are counted from its closing parenthesis: utime and stime are the
 * 14th and 15th fields of the line, the 12th and 13th after it.
 */
export function cpuSecondsOfStat(stat: string): number {
  const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(after[11]) + Number(after[12])) / USER_HZ;
}

/** Reads /proc for `pid`; undefined when the process is gone (or this is not Linux). */
export function processUsage(pid: number): ProcessUsage | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return { rssBytes: statusField(status, 'VmRSS'), peakRssBytes: statusField(status, 'VmHWM'), cpuSeconds: cpuSecondsOfStat(stat) };
  } catch {
    return undefined;
  }
}

/** CPU time of the whole machine so far, every core together: busy (anything but idle and iowait) and in all. */
export interface MachineCpu {
  busySeconds: number;
  totalSeconds: number;
}

/**
 * The aggregate `cpu` line of /proc/stat (user nice system idle iowait irq softirq steal …, in
 * USER_HZ ticks); guest time is already counted in user and nice, so it is left out.
 */
export function machineCpuOfStat(stat: string): MachineCpu | undefined {
  const line = /^cpu\s+(.*)$/m.exec(stat)?.[1];
  if (!line) return undefined;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).map(Number);
  const busy = user + nice + system + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return { busySeconds: busy / USER_HZ, totalSeconds: (busy + idle + (iowait ?? 0)) / USER_HZ };
}

/** The machine's CPU time so far (/proc/stat); undefined where there is none. */
export function machineCpu(): MachineCpu | undefined {
  try {
    return machineCpuOfStat(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}
