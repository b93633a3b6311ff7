// Package bulk builds the statements of the resource layer's bulk row
// paths: the multi-row INSERTs of CreateMany (Inserts) and of text imports
// (TextInsert: the values every row shares bound once where the dialect
// allows, rows per statement within its parameter limit). The row paths
// themselves (resource/bulk*.go: validation, permission, the transaction,
// change events; resource/export_rows*.go: export streaming) stay in the
// resource layer, which implements the BulkCreator, TextImporter,
// RowLister and RowStreamer parts of its contract.
//
// It may import schema, storage/db and resource/internal/sqlval; it must
// not import resource.
package bulk
