package store

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
)

// releaseMapped drops the pages of the store file that this process has
// mapped (bbolt reads through a read-only shared mapping) from its resident
// set with madvise(MADV_DONTNEED). The kernel's page cache keeps them, so the
// next read faults them back in cheaply; without this, every page a long
// ingest touched would stay counted in the process's memory.
func releaseMapped(path string) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		// "start-end perms offset dev inode   path"
		fields := bytes.Fields(line)
		if len(fields) < 6 || string(fields[5]) != abs {
			continue
		}
		lo, hi, ok := bytes.Cut(fields[0], []byte("-"))
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(string(lo), 16, 64)
		end, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		syscall.Syscall(syscall.SYS_MADVISE, uintptr(start), uintptr(end-start), syscall.MADV_DONTNEED)
	}
}
