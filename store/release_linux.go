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
// ingest touched would stay counted in the process's memory. It returns how
// many mapped ranges it released.
func releaseMapped(path string) int {
	abs, err := filepath.Abs(path)
	if err != nil {
		return 0
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0
	}
	defer f.Close()
	released := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		start, end, mapped, ok := parseMapsLine(line)
		if !ok || mapped != abs {
			continue
		}
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, uintptr(start), uintptr(end-start), syscall.MADV_DONTNEED); errno == 0 {
			released++
		}
	}
	return released
}

// parseMapsLine reads one line of /proc/self/maps,
// "start-end perms offset dev inode   path", where the path is the rest of the
// line after the inode and its padding: it may contain spaces (and the kernel
// writes a newline in it as \012, which no store path of ours holds).
func parseMapsLine(line []byte) (start, end uint64, path string, ok bool) {
	rest := line
	var fields [5][]byte
	for i := range fields {
		rest = bytes.TrimLeft(rest, " ")
		n := bytes.IndexByte(rest, ' ')
		if n < 0 {
			return 0, 0, "", false
		}
		fields[i], rest = rest[:n], rest[n:]
	}
	path = string(bytes.TrimLeft(rest, " "))
	lo, hi, found := bytes.Cut(fields[0], []byte("-"))
	if !found {
		return 0, 0, "", false
	}
	start, err1 := strconv.ParseUint(string(lo), 16, 64)
	end, err2 := strconv.ParseUint(string(hi), 16, 64)
	if err1 != nil || err2 != nil || end <= start || path == "" {
		return 0, 0, "", false
	}
	return start, end, path, true
}
