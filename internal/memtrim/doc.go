// Package memtrim owns giving back the pages of the program's own image
// (code and read-only data) that start-up made resident and an idle server
// no longer uses. Package initialisation runs code and reads tables in
// several hundred linked packages; the kernel maps each touched spot with
// its neighbours (fault-around), so start-up leaves most of a large
// binary's text, read-only data and function tables mapped although only a
// few MiB of it run again. Release unmaps them from the process; they stay
// in the page cache, and what the server runs later is mapped again on
// first use. It imports only the standard library.
package memtrim
