package ofac

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// AdvancedSchema is the Arrow schema of the parsed sdn_advanced.xml rows,
// as sql/raw/raw_ofac_sdn_advanced.sql reads them. _path is the landed file
// the row came from, which ties it to its source and fetch time.
var AdvancedSchema = arrow.NewSchema([]arrow.Field{
	{Name: "profile_id", Type: arrow.BinaryTypes.String},
	{Name: "address", Type: arrow.BinaryTypes.String},
	{Name: "asset", Type: arrow.BinaryTypes.String},
	{Name: "entity", Type: arrow.BinaryTypes.String},
	{Name: "program", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "_path", Type: arrow.BinaryTypes.String},
}, nil)

// AdvancedBatches parses one sdn_advanced.xml document from r into record
// batches of at most batchRows rows, each row tagged with path. The caller
// releases the batches.
func AdvancedBatches(r io.Reader, path string, batchRows int) ([]arrow.RecordBatch, error) {
	rows, err := ParseAdvanced(r)
	if err != nil {
		return nil, err
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, AdvancedSchema)
	defer b.Release()
	var out []arrow.RecordBatch
	for i, row := range rows {
		for f, v := range []string{row.ProfileID, row.Address, row.Asset, row.Entity, row.Program, path} {
			sb := b.Field(f).(*array.StringBuilder)
			if v == "" && AdvancedSchema.Field(f).Nullable {
				sb.AppendNull()
			} else {
				sb.Append(v)
			}
		}
		if (i+1)%batchRows == 0 || i == len(rows)-1 {
			out = append(out, b.NewRecordBatch())
		}
	}
	return out, nil
}
