"""What compiled rules call: money, rates, day counts, dated tables and traces."""
