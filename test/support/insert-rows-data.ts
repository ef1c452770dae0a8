// Shared by the insertRows crash test and its child: a schema with every kind of column insertRows
// writes, and the rows of batch `b`.
import {
  dictionary,
  int16,
  list,
  type RowInput,
  schema,
  struct,
  table,
  timestamp,
  utf8,
} from '../../src/index.js';

export const rowsSchema = schema([
  table(
    't',
    {
      id: dictionary('id'),
      tag: dictionary('tag', { width: 8, nullable: true }),
      n: int16(),
      at: timestamp({ nullable: true }),
      text: utf8({ nullable: true }),
      links: list(dictionary('id')),
      res: struct({ k: int16({ nullable: true }), who: dictionary('id', { nullable: true }) }),
    },
    { key: 'id' },
  ),
]);

export const BATCH_ROWS = 200;

/** The rows of batch `b`: new ids, strings old and new, nulls, and a non-ASCII one now and then. */
export function batchRows(b: number): RowInput[] {
  return Array.from({ length: BATCH_ROWS }, (_, i) => {
    const k = b * BATCH_ROWS + i;
    return {
      id: `r-${k}`,
      tag: k % 7 === 0 ? null : `tag-${k % 5}`,
      n: k % 30_000,
      at: k % 3 === 0 ? null : 1_700_000_000_000 + k,
      text: k % 11 === 0 ? `ü-${k}` : k % 2 === 0 ? null : `text ${k}`,
      links: k % 4 === 0 ? [`r-${k - 1}`, `link-${k % 9}`] : [],
      res: { k: k % 13 === 0 ? null : k % 100, who: k % 6 === 0 ? `who-${k % 17}` : null },
    };
  });
}
