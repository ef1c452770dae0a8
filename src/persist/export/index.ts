/*
 * The shared-memory export: the newest version as Arrow IPC files plus `state_metadata.json`,
 * for readers outside the store (other processes, other languages). See docs/interop.md.
 */
export {
  defaultExportRoot,
  EXPORT_FORMAT,
  EXPORT_METADATA,
  type ExportMetadata,
  type ExportTable,
} from './format.js';
export {
  accessViaCDataInterface,
  getCDataInterface,
  type OpenedExport,
  openExport,
  readExportMetadata,
} from './read.js';
export { removeExport, type WriteExportOptions, writeExport } from './write.js';
