// Command chartline is the Chartline desktop app and its headless verbs.
// main only wires: it parses the verb and hands over to app/cli (headless)
// or to the window (views).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/chartline/chartline/app/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	args := os.Args[1:]
	if len(args) == 0 || args[0] == "demo" {
		os.Exit(runGUI(ctx, args))
	}
	os.Exit(cli.Run(ctx, args, cli.IO{Out: os.Stdout, Err: os.Stderr}))
}

// runGUI opens the desktop window.
func runGUI(ctx context.Context, args []string) int {
	os.Stderr.WriteString("chartline: the desktop window is being built; use the headless commands (chartline help)\n")
	return 1
}
