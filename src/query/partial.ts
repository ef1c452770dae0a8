import type { Row } from '../store/values.js';
import type { GroupsPartial } from './aggregate.js';
import type { SortValue } from './order.js';
import type { ResultColumn } from './resolve.js';

/** The matching rows of a part, in storage order (at most the plan's limit of them). */
export interface RowsPartial {
  readonly kind: 'rows';
  readonly rows: Row[];
}

/** The part's best rows of an ordered query (at most the limit), in order, with their keys. */
export interface TopKPartial {
  readonly kind: 'topk';
  readonly rows: Row[];
  /** Each row's sort key (dictionary values as strings), for merging with other parts. */
  readonly keys: SortValue[][];
  /** Each row's position in the main table: the tie-break. */
  readonly positions: number[];
}

/**
 * What `executeQuery` gives for a range of row groups: structured-clonable and compact (group
 * states, top-k candidates, or the matching rows), so a worker can post it back to be merged.
 */
export interface QueryPartial {
  /** The version the part read; parts of one query must share it. */
  readonly version: number;
  /** The result's columns, as resolved against the schema. */
  readonly columns: ResultColumn[];
  readonly data: RowsPartial | TopKPartial | GroupsPartial;
}
