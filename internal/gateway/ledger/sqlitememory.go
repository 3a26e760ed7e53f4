package ledger

import (
	"sync"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// keepBalanceScratch holds, for the life of the process, one block of
// SQLite's memory in each size class that its B-tree balancing takes as
// scratch space and frees again on every page split (balance_nonroot: the
// cells of three sibling pages and a page, about 5 to 16 KiB with 4 KiB
// pages). The pure-Go driver's allocator (modernc.org/memory) keeps blocks
// of a class in 64 KiB pages and unmaps a page as soon as it holds none: a
// split found its class empty, mapped a page, touched it and unmapped it
// again, four system calls and fresh page faults that the ledger's four
// B-trees paid about once every ten rows (strace: 0.1 to 0.26 mmap calls per
// row in the gateway). With a block held, the page stays mapped and a split
// reuses it. The cost is 24 KiB, once.
func keepBalanceScratch() {
	balanceScratchOnce.Do(func() {
		tls := libc.NewTLS() // kept too: the blocks are never freed
		for _, size := range []uint64{6 << 10, 12 << 10} {
			sqlite3.Xsqlite3_malloc64(tls, size)
		}
	})
}

var balanceScratchOnce sync.Once
