// How figures from the API are shown. Missing values are "–", never "NaN" or "null".

const missing = '–';

export function formatTime(iso) {
  if (iso === null || iso === undefined) return missing;
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function formatPercent(ratio) {
  return typeof ratio === 'number' && Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)} %` : missing;
}

export function formatNumber(value, digits = 3) {
  if (typeof value !== 'number') return missing;
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** A count with thousands separators: "1,234". */
export function formatCount(value) {
  return value.toLocaleString('en-US');
}

export function formatBytes(bytes) {
  if (typeof bytes !== 'number') return missing;
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(ms) {
  if (typeof ms !== 'number') return missing;
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function formatSeconds(seconds) {
  if (typeof seconds !== 'number') return missing;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

export function formatSuccess(success) {
  if (success === true) return 'yes';
  if (success === false) return 'no';
  return missing;
}
