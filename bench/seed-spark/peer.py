"""The earlier CineMatch pipeline, rebuilt as its design describes it, to measure ours against.

Two Structured Streaming queries in one Spark application over the watchlist topic:

- user statistics: a `foreachBatch` every second that, for every user touched in the batch, reads
  all of that user's stored films from MongoDB and replaces their `user_stats` document;
- global trends: a 30 s trigger, a 1 h watermark (events more than an hour late are dropped, and
  event ids are deduplicated within that hour), a 30-day bootstrap from the stored films at start,
  then a +1/-1 read-modify-write of the single `global_stats` document per batch.

It is a benchmark peer, not a product: it reads the entries of the MongoDB database in
MONGODB_URL and writes only to its own database (PEER_DB), in the document shapes the dashboard
reads, so it never disturbs our read models. Progress goes to stdout as JSON lines for
`bench/seed-spark/peer-bench.ts`: "started" once both queries run, "ready" once both have fixed
their start offsets (their first trigger), and one line per batch with the offsets it reached.
"""

from __future__ import annotations

import glob
import json
import os
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

from pymongo import MongoClient, ReplaceOne
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, DoubleType, IntegerType, StringType, StructField, StructType


def env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value if value else default


KAFKA = env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
MONGODB_URL = env("MONGODB_URL", "mongodb://127.0.0.1:27017/cinematch")
TOPIC = env("CINEMATCH_EVENTS_TOPIC", "user-movie-events")
PEER_DB = env("PEER_DB", "cinematch_seed_spark")
CHECKPOINTS = env("PEER_CHECKPOINT_DIR", "/tmp/cinematch-seed-spark/checkpoints")
# Only read when a query has no checkpoint yet: afterwards Spark resumes from its offset log.
STARTING_OFFSETS = env("PEER_STARTING_OFFSETS", "latest")
USER_STATS_TRIGGER = env("PEER_USER_STATS_TRIGGER", "1 second")
TRENDS_TRIGGER = env("PEER_TRENDS_TRIGGER", "30 seconds")
WATERMARK = env("PEER_WATERMARK", "1 hour")
BOOTSTRAP_DAYS = int(env("PEER_BOOTSTRAP_DAYS", "30"))
JARS_DIR = env("PEER_JARS_DIR", "")
SHUFFLE_PARTITIONS = env("PEER_SHUFFLE_PARTITIONS", "2")
DRIVER_MEMORY = env("PEER_DRIVER_MEMORY", "1g")

GLOBAL_ID = "global_trends"


def say(**fields) -> None:
    fields["at"] = int(time.time() * 1000)
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def iso_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


source_db_name = urlparse(MONGODB_URL).path.lstrip("/") or "cinematch"
mongo = MongoClient(MONGODB_URL)
source = mongo[source_db_name]
peer = mongo[PEER_DB]

# ---- user statistics: the earlier compute_user_stats, on the fields both systems share ----------

RATING_STEPS = [x / 2 for x in range(1, 21)]


def compute_user_stats(films: list[dict]) -> dict:
    rated = [f for f in films if f.get("rating") is not None]
    by_rating = Counter(f["rating"] for f in rated)
    genres: Counter = Counter()
    directors: dict[str, list[float]] = {}
    actors: Counter = Counter()
    minutes = 0
    for f in films:
        movie = f.get("movie") or {}
        for g in set(movie.get("genres") or []):
            genres[g] += 1
        for a in set(movie.get("actors") or []):
            actors[a] += 1
        if f.get("rating") is not None:
            for d in set(movie.get("directors") or []):
                directors.setdefault(d, []).append(f["rating"])
        minutes += movie.get("runtime_minutes") or 0
    assignments = sum(genres.values())
    genre_data = [
        {"genre": g, "count": c, "percentage": round(100 * c / assignments, 1)}
        for g, c in sorted(genres.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    by_watched = sorted(films, key=lambda f: (f.get("watched_at") or "", (f.get("movie") or {}).get("title", "")), reverse=True)

    def brief(f: dict) -> dict:
        movie = f.get("movie") or {}
        return {
            "movie_id": movie.get("movie_id"),
            "title": movie.get("title"),
            "poster_path": movie.get("poster_path"),
            "rating": f.get("rating"),
            "watched_at": f.get("watched_at"),
        }

    return {
        "total_watched": len(films),
        "rated_count": len(rated),
        "avg_rating": round(sum(f["rating"] for f in rated) / len(rated), 2) if rated else None,
        "rating_chart_data": [{"rating": r, "count": by_rating.get(r, 0)} for r in RATING_STEPS],
        "top_rated_movies": [brief(f) for f in sorted(rated, key=lambda f: -f["rating"])[:10]],
        "recent_movies": [brief(f) for f in by_watched[:10]],
        "genre_data": genre_data,
        "favorite_genre": genre_data[0]["genre"] if genre_data else None,
        "watch_time_hours": round(minutes / 60, 1),
        "best_rated_directors": sorted(
            (
                {"director": d, "avg_rating": round(sum(rs) / len(rs), 2), "count": len(rs)}
                for d, rs in directors.items()
                if len(rs) >= 2
            ),
            key=lambda x: (-x["avg_rating"], -x["count"], x["director"]),
        )[:10],
        "most_watched_actors": [
            {"actor": a, "count": c} for a, c in sorted(actors.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        ],
    }


FILM_PROJECTION = {"_id": 0, "movie": 1, "rating": 1, "watched_at": 1}


def user_stats_batch(batch, batch_id: int) -> None:
    started = time.time()
    # One Spark job per batch, as before; the highest offset per partition rides along so the
    # bench can tell when a replay has drained (progress events come before the batch's writes).
    rows = batch.groupBy("partition").agg(F.max("offset").alias("last"), F.collect_set("user_id").alias("users")).collect()
    users = sorted({user for row in rows for user in row["users"]})
    # As the earlier design did: every touched user is recomputed from their stored films and
    # their document replaced, one user after another, on the driver.
    for user in users:
        films = list(source.movies.find({"user_id": user, "removed": False}, FILM_PROJECTION))
        peer.user_stats.replace_one(
            {"_id": user},
            {"_id": user, "user_id": user, "stats": compute_user_stats(films), "updated_at": iso_now()},
            upsert=True,
        )
    say(
        stream="user-stats",
        kind="batch",
        batch=batch_id,
        users=len(users),
        ms=int((time.time() - started) * 1000),
        offsets={str(row["partition"]): row["last"] + 1 for row in rows},
    )


# ---- global trends ---------------------------------------------------------------------------


def ranked(counts: list[dict]) -> tuple[list[dict], list[dict], int]:
    live = [c for c in counts if c["count"] > 0]
    top = sorted(live, key=lambda c: (-c["count"], c["title"]))[:10]
    genres: Counter = Counter()
    for c in live:
        for g in c.get("genres") or []:
            genres[g] += c["count"]
    total_genres = sum(genres.values())
    trending = [
        {"genre": g, "count": n, "percentage": round(100 * n / total_genres, 1)}
        for g, n in sorted(genres.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    ]
    top_movies = [
        {"movie_id": c["movie_id"], "title": c["title"], "poster_path": c.get("poster_path"), "count": c["count"]}
        for c in top
    ]
    return top_movies, trending, sum(c["count"] for c in live)


def write_global(counts: list[dict], source_name: str) -> None:
    top_movies, trending, total = ranked(counts)
    peer.global_stats.replace_one(
        {"_id": GLOBAL_ID},
        {
            "_id": GLOBAL_ID,
            "type": "global_trends",
            "window": f"{BOOTSTRAP_DAYS}d",
            "top_movies": top_movies,
            "trending_genres": trending,
            "total_movies_analyzed": total,
            # The earlier `movie_counts` map keyed by title cannot be stored here (dots in
            # titles); the same state as an array keyed by film id.
            "movie_counts": counts,
            "source": source_name,
            "updated_at": iso_now(),
        },
        upsert=True,
    )


def bootstrap() -> int:
    since = (datetime.now(timezone.utc) - timedelta(days=BOOTSTRAP_DAYS)).isoformat(timespec="milliseconds")
    since = since.replace("+00:00", "Z")
    counts: dict[str, dict] = {}
    cursor = source.movies.find(
        {"removed": False, "added_at": {"$gte": since}},
        {"_id": 0, "movie.movie_id": 1, "movie.title": 1, "movie.poster_path": 1, "movie.genres": 1},
    )
    for doc in cursor:
        movie = doc["movie"]
        entry = counts.setdefault(
            movie["movie_id"],
            {
                "movie_id": movie["movie_id"],
                "title": movie.get("title", ""),
                "poster_path": movie.get("poster_path"),
                "genres": movie.get("genres") or [],
                "count": 0,
            },
        )
        entry["count"] += 1
    write_global(list(counts.values()), "bootstrap")
    return sum(c["count"] for c in counts.values())


def trends_batch(batch, batch_id: int) -> None:
    started = time.time()
    deltas = (
        batch.where(F.col("event_type").isin("ADD", "DELETE"))
        .groupBy("partition", "movie.movie_id", "movie.title", "movie.poster_path", "movie.genres")
        .agg(
            F.sum(F.when(F.col("event_type") == "ADD", 1).otherwise(-1)).alias("delta"),
            F.count("*").alias("n"),
            F.max("offset").alias("last"),
        )
        .collect()
    )
    offsets: dict[str, int] = {}
    for row in deltas:
        key = str(row["partition"])
        offsets[key] = max(offsets.get(key, 0), row["last"] + 1)
    # Read-modify-write of the one document: at-least-once, like the design (a batch that ran
    # but whose commit did not land runs again after a restart and applies its deltas twice).
    doc = peer.global_stats.find_one({"_id": GLOBAL_ID}) or {}
    counts = {c["movie_id"]: c for c in doc.get("movie_counts", [])}
    events = 0
    for row in deltas:
        events += row["n"]
        entry = counts.setdefault(
            row["movie_id"],
            {
                "movie_id": row["movie_id"],
                "title": row["title"] or "",
                "poster_path": row["poster_path"],
                "genres": list(row["genres"] or []),
                "count": 0,
            },
        )
        entry["count"] += row["delta"]
    if deltas:
        write_global(list(counts.values()), "streaming_incremental")
    say(
        stream="trends",
        kind="batch",
        batch=batch_id,
        rows=events,
        ms=int((time.time() - started) * 1000),
        offsets=offsets,
    )


# ---- the application ----------------------------------------------------------------------------

MOVIE = StructType(
    [
        StructField("movie_id", StringType()),
        StructField("title", StringType()),
        StructField("poster_path", StringType()),
        StructField("genres", ArrayType(StringType())),
    ]
)
EVENT = StructType(
    [
        StructField("event_type", StringType()),
        StructField("event_id", StringType()),
        StructField("user_id", StringType()),
        StructField("occurred_at", StringType()),
        StructField("added_at", StringType()),
        StructField("rating", DoubleType()),
        StructField("schema_version", IntegerType()),
        StructField("movie", MOVIE),
    ]
)


def main() -> None:
    jars = sorted(glob.glob(os.path.join(JARS_DIR, "*.jar"))) if JARS_DIR else []
    if not jars:
        sys.exit(f"seed-spark: no connector jars in PEER_JARS_DIR={JARS_DIR!r} (bench/seed-spark/install.sh puts them there)")
    spark = (
        SparkSession.builder.appName("cinematch-seed-spark")
        .master(env("PEER_SPARK_MASTER", "local[2]"))
        .config("spark.jars", ",".join(jars))
        .config("spark.driver.memory", DRIVER_MEMORY)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # Spark's default of 200 shuffle partitions turns each small micro-batch into 200 tasks.
        .config("spark.sql.shuffle.partitions", SHUFFLE_PARTITIONS)
        .config("spark.sql.streaming.forceDeleteTempCheckpointLocation", "true")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("WARN")

    bootstrapped = bootstrap()
    say(stream="trends", kind="bootstrap", entries=bootstrapped)

    events = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", KAFKA)
        .option("subscribe", TOPIC)
        .option("startingOffsets", STARTING_OFFSETS)
        .option("failOnDataLoss", "false")
        .load()
        .select(F.from_json(F.col("value").cast("string"), EVENT).alias("e"), "partition", "offset")
        .select("e.*", "partition", "offset")
        .where(F.col("user_id").isNotNull() & F.col("event_type").isNotNull())
    )

    user_stats = (
        events.select("user_id", "partition", "offset")
        .writeStream.queryName("user_stats")
        .trigger(processingTime=USER_STATS_TRIGGER)
        .option("checkpointLocation", os.path.join(CHECKPOINTS, "user_stats"))
        .foreachBatch(user_stats_batch)
        .start()
    )
    trends = (
        events.withColumn("event_time", F.to_timestamp("occurred_at"))
        .withWatermark("event_time", WATERMARK)
        .dropDuplicatesWithinWatermark(["event_id"])
        .writeStream.queryName("trends")
        .trigger(processingTime=TRENDS_TRIGGER)
        .option("checkpointLocation", os.path.join(CHECKPOINTS, "trends"))
        .foreachBatch(trends_batch)
        .start()
    )
    queries = {"user-stats": user_stats, "trends": trends}
    say(kind="started")

    while any(q.lastProgress is None for q in queries.values()):
        time.sleep(0.1)
    say(kind="ready")
    spark.streams.awaitAnyTermination()


if __name__ == "__main__":
    main()
