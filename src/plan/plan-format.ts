/** Formats seconds the way the seeds write durations: `45s`, `2m`, `2m 30s`, `1h 5m`. */
export function formatSeconds(seconds: number): string {
  if (seconds === 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round((seconds % 60) * 1000) / 1000;
  return [h ? `${h}h` : '', m ? `${m}m` : '', s ? `${s}s` : ''].filter((x) => x !== '').join(' ');
}

/** `n thing` or `n things`. */
export function plural(n: number, thing: string): string {
  return `${n} ${thing}${n === 1 ? '' : 's'}`;
}
