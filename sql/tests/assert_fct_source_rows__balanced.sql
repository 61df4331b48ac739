-- Nothing is dropped silently: for every source, records in = accepted + rejected.
select source, feed, rows_in, accepted, rejected from fct_source_rows where rows_in <> accepted + rejected
