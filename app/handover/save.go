package handover

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/chartline/chartline/store"
)

// Printed is what Write made: the sheet, its document id (a urn:uuid the
// AuditEvents name) and the file.
type Printed struct {
	Sheet    *Sheet
	Document string
	Path     string
	Pages    int
}

// Write builds the sheet from one store snapshot, renders it and writes it
// to path whole (a 0600 temporary file renamed over path), then calls audit
// with the document id and the patients on the sheet; when the audit cannot
// be written the file is removed, so no sheet leaves unaudited.
func Write(s *store.Store, o Options, path string, audit func(document string, patients []string) error) (Printed, error) {
	var sh *Sheet
	err := s.View(func(r *store.Reader) error {
		var err error
		sh, err = Build(r, o)
		return err
	})
	if err != nil {
		return Printed{}, err
	}
	pdf, pages, err := Render(sh)
	if err != nil {
		return Printed{}, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".chartline-handover-*")
	if err != nil {
		return Printed{}, fmt.Errorf("write handover: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(pdf)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return Printed{}, fmt.Errorf("write handover: %w", err)
	}
	doc := "urn:uuid:" + randomUUID()
	ids := make([]string, len(sh.Patients))
	for i, p := range sh.Patients {
		ids[i] = p.ID
	}
	if err := audit(doc, ids); err != nil {
		os.Remove(path)
		return Printed{}, fmt.Errorf("handover not kept: %w", err)
	}
	return Printed{Sheet: sh, Document: doc, Path: path, Pages: pages}, nil
}

// Open shows or prints a written sheet: to the default printer with lp when
// CUPS has a default destination (lpstat -d), else in the desktop's PDF
// viewer (xdg-open). It returns what it did, "printed" or "opened".
func Open(ctx context.Context, path string) (string, error) {
	if out, err := exec.CommandContext(ctx, "lpstat", "-d").Output(); err == nil && strings.Contains(string(out), "destination:") {
		if err := exec.CommandContext(ctx, "lp", "--", path).Run(); err != nil {
			return "", fmt.Errorf("print handover with lp: %w", err)
		}
		return "printed", nil
	}
	cmd := exec.CommandContext(ctx, "xdg-open", path)
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("open handover with xdg-open: %w", err)
	}
	go cmd.Wait() // xdg-open returns once the viewer is started
	return "opened", nil
}

func randomUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand never fails on Linux
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	s := hex.EncodeToString(b)
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}
