// Command cinematch-ferretdb runs FerretDB (a MongoDB wire-protocol server) on SQLite for
// CineMatch's local tests. No MongoDB server binary can be installed on our machines, so
// scripts/infra/up.sh builds this from the Go module proxy and starts it.
//
// It embeds github.com/FerretDB/FerretDB/ferretdb instead of building FerretDB's own
// cmd/ferretdb: that command panics at start when built from the module, because the
// generated build/version/version.txt is not part of the published module, while the
// embeddable package skips that check for a main module of its own.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listenAddr := flag.String("listen-addr", "127.0.0.1:27027", "TCP address to listen on")
	sqliteURL := flag.String("sqlite-url", "", "SQLite URI of an existing directory, e.g. file:/path/to/dir/ (required)")
	logLevel := flag.String("log-level", "warn", "one of debug, info, warn, error")
	stopGrace := flag.Duration("stop-grace", 5*time.Second, "how long to wait for open connections after SIGTERM before exiting")
	flag.Parse()

	// The path part must name a directory; query parameters (e.g. _pragma=...) may follow.
	if dir, _, _ := strings.Cut(*sqliteURL, "?"); dir == "" || !strings.HasSuffix(dir, "/") {
		fmt.Fprintln(os.Stderr, "cinematch-ferretdb: --sqlite-url is required and its path must end with a slash (a directory)")
		os.Exit(2)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "cinematch-ferretdb: bad --log-level: %v\n", err)
		os.Exit(2)
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listenAddr},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: *sqliteURL,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "cinematch-ferretdb: %v\n", err)
		os.Exit(1)
	}

	// down.sh stops us with SIGTERM: cancelling the context lets FerretDB close its
	// listener and the SQLite databases cleanly instead of dying mid-write.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// FerretDB's Run waits for every client connection to finish, with no bound. A request
	// stuck inside FerretDB (see the deadlock described in scripts/infra/README.md) would then
	// make SIGTERM useless; SQLite's WAL survives a hard exit, so give up after a grace period.
	go func() {
		<-ctx.Done()
		time.Sleep(*stopGrace)
		fmt.Fprintf(os.Stderr, "cinematch-ferretdb: connections still open %s after the stop signal, exiting anyway\n", *stopGrace)
		os.Exit(1)
	}()

	// Always printed (whatever the log level) so the log shows which build and address ran.
	fmt.Fprintf(os.Stderr, "cinematch-ferretdb: listening on %s, data %s\n", *listenAddr, *sqliteURL)

	if err := f.Run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "cinematch-ferretdb: %v\n", err)
		os.Exit(1)
	}

	fmt.Fprintln(os.Stderr, "cinematch-ferretdb: stopped")
}
