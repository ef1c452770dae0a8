// Tasks as Arrow tables with the tasks table's columns, for bulk loads (`tx.load`) in benchmarks.
import {
  Field,
  Int32,
  Int64,
  List,
  Struct,
  Table,
  TimestampMillisecond,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import type { taskRow } from './cluster-data.js';

type TaskRow = ReturnType<typeof taskRow>;
const utf8 = new Utf8();
const ts = new TimestampMillisecond();
const col = <K extends keyof TaskRow>(rows: TaskRow[], k: K) => rows.map((r) => r[k]);
const date = (x: number | null) => (x === null ? null : new Date(x));

/** One batch of tasks as an Arrow table with the tasks table's columns (strings as plain Utf8). */
export function taskBatch(rows: TaskRow[]): Table {
  return new Table({
    task_id: vectorFromArray(col(rows, 'task_id'), utf8),
    task_type: vectorFromArray(col(rows, 'task_type'), utf8),
    status: vectorFromArray(col(rows, 'status'), utf8),
    parameters: vectorFromArray(col(rows, 'parameters'), utf8),
    priority: vectorFromArray(col(rows, 'priority'), new Int32()),
    assigned_node_id: vectorFromArray(col(rows, 'assigned_node_id'), utf8),
    submit_time: vectorFromArray(
      rows.map((r) => date(r.submit_time)),
      ts,
    ),
    start_time: vectorFromArray(
      rows.map((r) => date(r.start_time)),
      ts,
    ),
    end_time: vectorFromArray(
      rows.map((r) => date(r.end_time)),
      ts,
    ),
    result_cid: vectorFromArray(col(rows, 'result_cid'), utf8),
    error_message: vectorFromArray(col(rows, 'error_message'), utf8),
    resources: vectorFromArray(
      rows.map((r) => ({ ...r.resources, memory_mb: BigInt(r.resources.memory_mb) })),
      new Struct([
        new Field('cpu_cores', new Int32(), false),
        new Field('gpu_cores', new Int32(), false),
        new Field('memory_mb', new Int64(), false),
      ]),
    ),
    input_cids: vectorFromArray(col(rows, 'input_cids'), new List(new Field('item', utf8, false))),
  });
}
