/// <reference lib="dom" />
/** A data table: column headers (scoped for screen readers) and one row of cells per item. */
import { html } from 'htm/preact';

export type CellValue = string | number | ReturnType<typeof html> | null;

export function Table<T>({ columns, items, row }: { columns: string[]; items: T[]; row: (item: T) => CellValue[] }) {
  return html`<table>
    <thead>
      <tr>
        ${columns.map((c) => html`<th scope="col">${c}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (item) =>
          html`<tr>
            ${row(item).map((cell) => html`<td>${cell}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}
