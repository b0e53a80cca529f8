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
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	_ "modernc.org/sqlite"
)

func main() {
	listenAddr := flag.String("listen-addr", "127.0.0.1:27027", "TCP address to listen on")
	sqliteURL := flag.String("sqlite-url", "", "SQLite URI of an existing directory, e.g. file:/path/to/dir/ (required)")
	logLevel := flag.String("log-level", "warn", "one of debug, info, warn, error")
	stopGrace := flag.Duration("stop-grace", 5*time.Second, "how long to wait for open connections after SIGTERM before exiting")
	checkpointEvery := flag.Duration("wal-checkpoint-interval", 20*time.Second, "how often to checkpoint and truncate each database's WAL (0: never)")
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

	if *checkpointEvery > 0 {
		dir, _, _ := strings.Cut(strings.TrimPrefix(*sqliteURL, "file:"), "?")
		go checkpointWALs(ctx, dir, *checkpointEvery, logger)
	}

	// Always printed (whatever the log level) so the log shows which build and address ran.
	fmt.Fprintf(os.Stderr, "cinematch-ferretdb: listening on %s, data %s\n", *listenAddr, *sqliteURL)

	if err := f.Run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "cinematch-ferretdb: %v\n", err)
		os.Exit(1)
	}

	fmt.Fprintln(os.Stderr, "cinematch-ferretdb: stopped")
}

// checkpointWALs truncates every database's write-ahead log now and then. SQLite resets a WAL
// only when no reader is using it; FerretDB's clients (runners polling, an API, a replay) keep a
// reader open almost all the time, so the WAL of a busy database never resets and grows without
// bound (1.6 GB in one multi-instance test run, 2 MB/s), slowing every checkpoint and read. A
// TRUNCATE checkpoint waits (up to 250 ms, holding writers back meanwhile) for the readers of older snapshots to finish,
// copies the WAL into the database and empties it; when it cannot, it tries again next time.
func checkpointWALs(ctx context.Context, dir string, every time.Duration, logger *slog.Logger) {
	ticker := time.NewTicker(every)
	defer ticker.Stop()

	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}

		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, file := range files {
			if info, err := os.Stat(file + "-wal"); err != nil || info.Size() < 16<<20 {
				continue
			}
			checkpointWAL(ctx, file, logger)
		}
	}
}

func checkpointWAL(ctx context.Context, file string, logger *slog.Logger) {
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(250)")
	if err != nil {
		logger.Warn("wal checkpoint: open failed", "file", file, "error", err)
		return
	}
	defer db.Close()

	var busy, frames, copied int
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &frames, &copied); err != nil {
		logger.Warn("wal checkpoint failed", "file", file, "error", err)
		return
	}
	logger.Info("wal checkpoint", "file", filepath.Base(file), "busy", busy, "frames", frames, "copied", copied)
}
