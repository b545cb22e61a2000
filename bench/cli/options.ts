import { InvalidArgumentError } from 'commander';

/** Flag parsers: each rejects bad input with a message commander prints next to the flag. */
export function parseScale(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new InvalidArgumentError('scale must be a number (1.0 = 12.4M geometries).');
  if (value <= 0) throw new InvalidArgumentError('scale must be greater than 0.');
  if (value > 10) throw new InvalidArgumentError('scale must be at most 10 (124M geometries).');
  return value;
}

export function parseSeed(raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) throw new InvalidArgumentError('seed must be a non-negative integer.');
  return value;
}

export function integerParser(name: string, min: number, max: number): (raw: string) => number {
  return (raw: string) => {
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}.`);
    }
    return value;
  };
}

export const parseWorkers = integerParser('workers', 1, 64);
export const parsePort = integerParser('port', 1024, 65535);
