#!/usr/bin/env python3
"""Measure the product beside raw SQLite and raw Lua, in one run.

Every figure is a ratio against a baseline measured in the same run:
product and baseline alternate, the first of each pair switching from one
round to the next, and each side keeps the median of its rounds. The
baselines are the C programs in bench/baselines/ and the sqlite3 shell
running the SQL statements that the product itself ran (taken from
`crm --trace-sql --debug`, never written twice).

Usage: bench/run.py --bin DIR [--quick] [--output FILE] [--keep]

DIR holds the release build of `crm` and `crm-bench`. Prints one line per
figure: name, product value, baseline value, ratio, target. Exits 1 when a
run fails or its output is wrong, 2 on a usage error; a missed target is
reported, not an error. --output writes the Markdown record of the run.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASELINES = os.path.join(ROOT, "bench", "baselines")
TRACE_PREFIX = "crm: sql: "
TODAY = "2026-03-02"
REPS = 20

# Sizes of the full run and of the quick run for development (QUICK=1).
FULL = {
    "rounds": 3, "dispatch_calls": 100_000, "dispatch_runs": 3, "callgrind_calls": (1_000, 11_000),
    "import_rows": 20_000, "import_large_rows": 200_000, "accounts": 100_000,
    "activities": (10_000, 100_000, 1_000_000), "opportunities": 1_000_000,
    "read_runs": 21, "followup_runs": 11, "pipeline_runs": 7, "quote_sends": 1_000, "quote_runs": 3,
}
QUICK = {
    "rounds": 1, "dispatch_calls": 5_000, "dispatch_runs": 3, "callgrind_calls": (200, 1_200),
    "import_rows": 2_000, "import_large_rows": 20_000, "accounts": 5_000,
    "activities": (1_000, 10_000, 100_000), "opportunities": 100_000,
    "read_runs": 5, "followup_runs": 5, "pipeline_runs": 3, "quote_sends": 100, "quote_runs": 3,
}


class BenchError(Exception):
    """A run that failed or printed something unexpected."""


class Figure:
    """One line of the report: a product value beside its baseline."""

    def __init__(self, name, product, baseline, unit, target, what, baseline_what):
        self.name = name
        self.product = product
        self.baseline = baseline
        self.unit = unit
        self.target = target
        self.what = what
        self.baseline_what = baseline_what

    @property
    def ratio(self):
        return self.product / self.baseline

    @property
    def met(self):
        return self.ratio <= self.target


def fmt_value(value, unit):
    if unit == "KiB":
        return "%d KiB" % round(value)
    if unit == "instr":
        return "%d instr" % round(value)
    if unit == "s":
        if value < 1:
            return "%.1f ms" % (value * 1000)
        return "%.2f s" % value
    if value >= 10_000:
        return "%.1f us" % (value / 1000)
    return "%.0f ns" % value


def fmt_line(figure):
    verdict = "met" if figure.met else "MISSED"
    return "%-24s %12s %12s %7.2fx  <= %gx  %s" % (
        figure.name, fmt_value(figure.product, figure.unit), fmt_value(figure.baseline, figure.unit),
        figure.ratio, figure.target, verdict)


def log(message):
    print("bench: " + message, file=sys.stderr, flush=True)


# MARK: Processes


def run(argv, env=None, stdin_path=None, capture=False):
    """Run one process to its end and return (seconds, stdout, stderr).
    Raises BenchError when it exits with a non-zero status."""
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        result = subprocess.run(argv, env=env, stdin=stdin, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        seconds = time.perf_counter() - start
    finally:
        if stdin_path:
            stdin.close()
    stdout = result.stdout.decode("utf-8", "replace") if capture else ""
    stderr = result.stderr.decode("utf-8", "replace")
    if result.returncode != 0:
        raise BenchError("%s exited with status %d: %s" % (" ".join(argv), result.returncode, stderr.strip()[-2000:]))
    return seconds, stdout, stderr


def peak_rss(argv, env=None, stdin_path=None):
    """Return the peak resident set size of one run, in KiB, as GNU time
    reports it. The driver's own wait4() is no use here: Linux carries the
    memory of the process that called exec (a fork of this Python driver)
    into the child's maximum."""
    with tempfile.NamedTemporaryFile(mode="r") as report:
        run(["/usr/bin/time", "-f", "%M", "-o", report.name] + argv, env=env, stdin_path=stdin_path)
        return int(report.read().strip().splitlines()[-1])


def interleave(rounds, product, baseline):
    """Call `product` and `baseline` once per round, switching which goes
    first, and return the two lists of results."""
    products, baselines = [], []
    for index in range(rounds):
        if index % 2 == 0:
            products.append(product())
            baselines.append(baseline())
        else:
            baselines.append(baseline())
            products.append(product())
    return products, baselines


def printed_number(stdout, label):
    """Return the number after `label` on the line that starts with it."""
    match = re.search(r"^%s (\d+(?:\.\d+)?)" % re.escape(label), stdout, re.MULTILINE)
    if not match:
        raise BenchError("expected a line '%s <number>', got: %s" % (label, stdout.strip()[:500]))
    return float(match.group(1))


# MARK: Environment and data


class Bench:
    def __init__(self, bin_dir, sizes, work, quick):
        self.crm = os.path.join(bin_dir, "crm")
        self.crm_bench = os.path.join(bin_dir, "crm-bench")
        self.sizes = sizes
        self.work = work
        self.quick = quick
        self.figures = []
        self.facts = {}
        for binary in (self.crm, self.crm_bench):
            if not os.access(binary, os.X_OK):
                raise BenchError("%s is missing; build it with `swift build -c release`" % binary)
        for tool in ("cc", "sqlite3", "valgrind", "/usr/bin/time"):
            if shutil.which(tool) is None:
                raise BenchError("%s is not on PATH; run `make deps`" % tool)

    def crm_env(self, database, user="admin"):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.work, "CRM_DB": database,
               "CRM_TODAY": TODAY, "CRM_USER": user, "NO_COLOR": "1", "LC_ALL": "C"}
        return env

    def path(self, name):
        return os.path.join(self.work, name)

    def compile_baselines(self):
        """Compile each C baseline with -O2 into the work folder."""
        programs = {"dispatch": ["-llua5.4", "-lm"], "bulk_insert": ["-lsqlite3"], "commits": ["-lsqlite3"]}
        for name, libraries in programs.items():
            source = os.path.join(BASELINES, name + ".c")
            run(["cc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", self.path(name), source] + libraries)

    def new_database(self, name):
        """Create a database with `crm init`, its schema the product's own."""
        database = self.path(name)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(database + suffix):
                os.remove(database + suffix)
        run([self.crm, "init", "--admin", "admin"], env=self.crm_env(database))
        return database

    def copy_database(self, template, name):
        target = self.path(name)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(target + suffix):
                os.remove(target + suffix)
        shutil.copyfile(template, target)
        return target

    def seed(self, name, accounts, opportunities, activities):
        """Create a database with `crm init` and fill it with bench/seed.sql."""
        database = self.new_database(name)
        started = time.perf_counter()
        arguments = ["sqlite3", "-bail", "-batch", database]
        for key, value in (("reps", REPS), ("accounts", accounts), ("opportunities", opportunities),
                           ("activities", activities)):
            arguments += ["-cmd", ".parameter set @%s %d" % (key, value)]
        run(arguments + [".read " + os.path.join(ROOT, "bench", "seed.sql")])
        counts = self.sql(database, "SELECT (SELECT count(*) FROM accounts) || ' ' || (SELECT count(*) FROM "
                                    "opportunities) || ' ' || (SELECT count(*) FROM activities)")
        if counts != "%d %d %d" % (accounts, opportunities, activities):
            raise BenchError("seeding %s gave accounts, opportunities, activities %s" % (name, counts))
        log("seeded %s: %d accounts, %d opportunities, %d activities in %.1f s"
            % (name, accounts, opportunities, activities, time.perf_counter() - started))
        return database

    def sql(self, database, statement):
        return run(["sqlite3", "-batch", database, statement], capture=True)[1].strip()

    def add(self, figure):
        self.figures.append(figure)
        print(fmt_line(figure), flush=True)

    # MARK: Baseline scripts from the product's trace

    def traced_script(self, argv, env, name):
        """Run a crm command with --trace-sql --debug and write the statements
        it ran, with their values, as a sqlite3 shell script."""
        _, _, stderr = run(argv + ["--trace-sql", "--debug"], env=env, capture=True)
        lines = []
        statements = 0
        for line in stderr.splitlines():
            if not line.startswith(TRACE_PREFIX):
                continue
            record = json.loads(line[len(TRACE_PREFIX):])
            for index, value in enumerate(record["parameters"], 1):
                lines.append(".parameter set ?%d %s" % (index, shell_argument(sql_literal(value))))
            lines.append(record["sql"].strip().rstrip(";") + ";")
            statements += 1
        if statements == 0:
            raise BenchError("%s printed no SQL trace" % " ".join(argv))
        script = self.path(name + ".sql")
        with open(script, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        return script, statements

    def compare_with_shell(self, argv, env, database, name, runs):
        """Time a crm command and the sqlite3 shell running the statements it
        traced, interleaved. Returns the product and baseline times in seconds
        and the script, for memory measurements."""
        script, statements = self.traced_script(argv, env, name)
        self.facts[name + ".statements"] = statements
        shell = ["sqlite3", "-bail", "-batch", database]
        run(argv, env=env)
        run(shell, stdin_path=script)
        products, baselines = interleave(runs, lambda: run(argv, env=env)[0],
                                         lambda: run(shell, stdin_path=script)[0])
        return products, baselines, script

    # MARK: Workloads

    def bench_dispatch(self):
        sizes = self.sizes
        calls, runs = str(sizes["dispatch_calls"]), str(sizes["dispatch_runs"])

        def product(mode):
            return lambda: printed_number(run([self.crm_bench, "dispatch", mode, calls, runs], capture=True)[1],
                                          "dispatch." + mode)

        def baseline(mode):
            return lambda: printed_number(run([self.path("dispatch"), mode, calls, runs], capture=True)[1],
                                          "dispatch." + mode)

        for mode in ("event", "rule"):
            products, baselines = interleave(sizes["rounds"], product(mode), baseline(mode))
            self.add(Figure("dispatch." + mode, statistics.median(products), statistics.median(baselines), "ns", 2,
                            "per %s call through the product" % mode, "C calling Lua with a fresh 12-field table"))
        five, ones = interleave(sizes["rounds"], product("event5"), product("event"))
        self.add(Figure("dispatch.event5", statistics.median(five), statistics.median(ones), "ns", 5,
                        "one event to 5 plugins", "one event to 1 plugin"))

        low, high = sizes["callgrind_calls"]
        for mode in ("event", "rule"):
            product_count = self.instructions([self.crm_bench, "dispatch", mode], low, high)
            baseline_count = self.instructions([self.path("dispatch"), mode], low, high)
            self.add(Figure("dispatch.%s.instr" % mode, product_count, baseline_count, "instr", 2,
                            "instructions per %s call under callgrind" % mode, "the C baseline under callgrind"))

    def instructions(self, argv, low, high):
        """Instructions per call under callgrind: the difference between a
        run of `high` calls and one of `low` calls, so set-up cancels out."""
        counts = []
        for calls in (low, high):
            output = self.path("callgrind.out")
            _, _, stderr = run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + output]
                                  + argv + [str(calls), "1"], capture=True)
            match = re.search(r"Collected : (\d+)", stderr)
            if not match:
                raise BenchError("callgrind printed no instruction count for %s" % " ".join(argv))
            counts.append(int(match.group(1)))
        return (counts[1] - counts[0]) / (high - low)

    def sirene_file(self, rows):
        folder = self.path("sirene-%d" % rows)
        os.makedirs(folder, exist_ok=True)
        output = run([sys.executable, os.path.join(ROOT, "scripts", "gen_sirene.py"), str(rows), folder],
                     capture=True)[1]
        expected = json.loads(output.strip().splitlines()[-1])
        csv_files = [name for name in os.listdir(folder) if name.endswith(".csv")]
        return os.path.join(folder, csv_files[0]), expected["imported"]

    def import_templates(self):
        """Create an empty database, and another with a pack whose plugin adds
        one onAccountCreated hook that reads the payload."""
        plain = self.new_database("import-plain.sqlite")
        pack = self.path("hook-pack")
        os.makedirs(pack, exist_ok=True)
        with open(os.path.join(pack, "pack.lua"), "w") as handle:
            handle.write('return { name = "bench-hook", version = "1.0.0", api = 1, plugins = { "hook.lua" } }\n')
        with open(os.path.join(pack, "hook.lua"), "w") as handle:
            handle.write("local P = { name = \"bench-hook\", version = \"1.0.0\" }\n\n"
                         "function P.onAccountCreated(account, crm)\n"
                         "  if account.siren ~= nil and #account.siren ~= 9 then account.flagged = true end\n"
                         "end\n\nreturn P\n")
        hooked = self.new_database("import-hook.sqlite")
        run([self.crm, "pack", "install", pack], env=self.crm_env(hooked))
        return plain, hooked

    def import_once(self, template, csv_path, expected, measure_memory=False):
        database = self.copy_database(template, "import-run.sqlite")
        argv = [self.crm, "import", "accounts", csv_path]
        if measure_memory:
            seconds, rss = None, peak_rss(argv, env=self.crm_env(database))
        else:
            seconds, rss = run(argv, env=self.crm_env(database))[0], None
        imported = int(self.sql(database, "SELECT count(*) FROM accounts"))
        if imported != expected:
            raise BenchError("the import of %s stored %d accounts; expected %d" % (csv_path, imported, expected))
        return seconds, rss

    def bulk_once(self, template, rows):
        database = self.copy_database(template, "bulk-run.sqlite")
        seconds, stdout, _ = run([self.path("bulk_insert"), database, str(rows)], capture=True)
        printed_number(stdout, "bulk_insert.accounts")
        return seconds

    def bench_import(self):
        rows = self.sizes["import_rows"]
        csv_path, expected = self.sirene_file(rows)
        plain, hooked = self.import_templates()
        self.facts["import.rows"] = rows
        self.facts["import.imported"] = expected
        self.import_once(plain, csv_path, expected)
        self.bulk_once(plain, expected)
        rounds = max(3, self.sizes["rounds"])
        results = {"plain": [], "hook": [], "bulk": []}
        for index in range(rounds):
            order = ["plain", "hook", "bulk"]
            order = order[index % 3:] + order[:index % 3]
            for kind in order:
                if kind == "bulk":
                    results[kind].append(self.bulk_once(plain, expected))
                else:
                    results[kind].append(self.import_once(plain if kind == "plain" else hooked, csv_path, expected))
        bulk = statistics.median(results["bulk"])
        self.add(Figure("import", statistics.median(s for s, _ in results["plain"]), bulk, "s", 5,
                        "crm import accounts, %d SIRENE rows" % rows, "C bulk insert of %d accounts" % expected))
        self.add(Figure("import.hook", statistics.median(s for s, _ in results["hook"]), bulk, "s", 8,
                        "the same with one more onAccountCreated hook", "C bulk insert of %d accounts" % expected))

        large_rows = self.sizes["import_large_rows"]
        large_csv, large_expected = self.sirene_file(large_rows)
        small_rss = statistics.median(self.import_once(plain, csv_path, expected, measure_memory=True)[1]
                                      for _ in range(3))
        large_rss = self.import_once(plain, large_csv, large_expected, measure_memory=True)[1]
        self.add(Figure("memory.import", large_rss, small_rss, "KiB", 1.5,
                        "peak RSS, import of %d rows" % large_rows, "peak RSS, import of %d rows" % rows))

    def bench_reads(self):
        sizes = self.sizes
        small, medium, large = sizes["activities"]
        big = self.seed("big.sqlite", sizes["accounts"], sizes["opportunities"], large)

        argv = [self.crm, "account", "list", "--limit", "20", "--json"]
        products, baselines, script = self.compare_with_shell(argv, self.crm_env(big), big, "read",
                                                              sizes["read_runs"])
        self.add(Figure("read.start", statistics.median(products), statistics.median(baselines), "s", 2,
                        "crm account list --limit 20 --json, %d accounts" % sizes["accounts"],
                        "sqlite3 shell, the same statements"))
        memory = interleave(3, lambda: peak_rss(argv, env=self.crm_env(big)),
                            lambda: peak_rss(["sqlite3", "-bail", "-batch", big], stdin_path=script))
        self.add(Figure("memory.list", statistics.median(memory[0]), statistics.median(memory[1]), "KiB", 3,
                        "peak RSS of that list", "peak RSS of the sqlite3 shell"))

        argv = [self.crm, "pipeline"]
        products, baselines, _ = self.compare_with_shell(argv, self.crm_env(big), big, "pipeline",
                                                         sizes["pipeline_runs"])
        self.add(Figure("pipeline", statistics.median(products), statistics.median(baselines), "s", 1.5,
                        "crm pipeline, %d opportunities" % sizes["opportunities"], "sqlite3 shell, the same statements"))

        argv = [self.crm, "followup", "list", "--due", "today"]
        env = self.crm_env(big, user="rep1")
        products, baselines, _ = self.compare_with_shell(argv, env, big, "followup", sizes["followup_runs"])
        due_large = statistics.median(products)
        self.add(Figure("followup.due", due_large, statistics.median(baselines), "s", 2,
                        "crm followup list --due today, one rep, %d activities" % large,
                        "sqlite3 shell, the same statements"))

        timings = {}
        for count in (small, medium):
            database = self.seed("activities-%d.sqlite" % count, sizes["accounts"], 0, count)
            run(argv, env=self.crm_env(database, user="rep1"))
            timings[count] = statistics.median(
                run(argv, env=self.crm_env(database, user="rep1"))[0] for _ in range(sizes["followup_runs"]))
        timings[large] = due_large
        for count in (medium, large):
            self.add(Figure("growth.%s" % short_count(count), timings[count], timings[small], "s", 3,
                            "followup list at %d activities" % count, "the same at %d activities" % small))

    def bench_quote_send(self):
        sends, runs = str(self.sizes["quote_sends"]), str(self.sizes["quote_runs"])

        def product():
            return printed_number(run([self.crm_bench, "quote-send", sends, runs], capture=True)[1], "quote.send")

        def baseline():
            database = self.path("commits.sqlite")
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(database + suffix):
                    os.remove(database + suffix)
            return printed_number(run([self.path("commits"), database, sends, runs], capture=True)[1],
                                  "commits.single")

        products, baselines = interleave(self.sizes["rounds"], product, baseline)
        self.add(Figure("quote.send", statistics.median(products), statistics.median(baselines), "ns", 4,
                        "per quote sent: numbering, totals, hooks, commit", "C single-row commit, WAL"))

    def facts_for_method(self):
        low, high = self.sizes["callgrind_calls"]
        return {
            "callgrind_low": low, "callgrind_high": high, "callgrind_calls": high - low,
            "import_rows": self.facts.get("import.rows", "?"), "import_imported": self.facts.get("import.imported", "?"),
            "read_statements": self.facts.get("read.statements", "?"),
            "pipeline_statements": self.facts.get("pipeline.statements", "?"),
            "followup_statements": self.facts.get("followup.statements", "?"),
        }


def short_count(count):
    if count >= 1_000_000 and count % 1_000_000 == 0:
        return "%dM" % (count // 1_000_000)
    if count >= 1_000 and count % 1_000 == 0:
        return "%dk" % (count // 1_000)
    return str(count)


def sql_literal(value):
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def shell_argument(text):
    """Quote an argument of a sqlite3 shell dot-command: inside double quotes
    the shell reads backslash escapes."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return '"' + escaped + '"'


# MARK: The record


def first_line(argv):
    try:
        output = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return output.strip().splitlines()[0] if output.strip() else "unknown"


def machine_facts(swift):
    cpu = "unknown"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return [
        ("CPU", cpu),
        ("Cores", str(os.cpu_count())),
        ("Swift", first_line([swift, "--version"])),
        ("SQLite (library)", first_line(["pkg-config", "--modversion", "sqlite3"])),
        ("SQLite (shell)", first_line(["sqlite3", "--version"]).split(" ")[0]),
        ("Lua", first_line(["pkg-config", "--modversion", "lua5.4"])),
        ("valgrind", first_line(["valgrind", "--version"])),
    ]


def write_record(path, bench, facts, started_load, ended_load, seconds, quick):
    limits = read_limits()
    lines = ["# Benchmarks", "",
             "Written by `make bench` (bench/run.py); edit bench/run.py or bench/limits.md, not this page.", ""]
    if quick:
        lines += ["This is a QUICK run with reduced sizes; its figures are for development only.", ""]
    lines += ["Each figure is the product's median beside its baseline's median, measured in the same run,",
              "product and baseline alternating. The ratio is product / baseline; the target is the largest",
              "ratio accepted.", "",
              "| figure | product | baseline | ratio | target | product measures | baseline measures |",
              "| --- | ---: | ---: | ---: | ---: | --- | --- |"]
    for figure in bench.figures:
        lines.append("| %s | %s | %s | %.2fx | <= %gx%s | %s | %s |" % (
            figure.name, fmt_value(figure.product, figure.unit), fmt_value(figure.baseline, figure.unit),
            figure.ratio, figure.target, "" if figure.met else " (missed)", figure.what, figure.baseline_what))
    lines += ["", "## Machine", "", "| | |", "| --- | --- |"]
    for key, value in facts:
        lines.append("| %s | %s |" % (key, value))
    lines.append("| Load average (1 min) at start and end | %.2f, %.2f |" % (started_load, ended_load))
    lines.append("| Duration of the run | %.0f s |" % seconds)
    lines += ["", "## Method", ""]
    lines += METHOD.format(reps=REPS, today=TODAY, **bench.facts_for_method()).strip().splitlines()
    missed = [figure for figure in bench.figures if not figure.met]
    if missed:
        lines += ["", "## Missed targets", ""]
        for figure in missed:
            text = limits.get(figure.name, "No explanation is recorded for this miss in bench/limits.md.")
            lines += ["**%s** (%.2fx, target <= %gx). %s" % (figure.name, figure.ratio, figure.target, text), ""]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines).rstrip() + "\n")


def read_limits():
    """Read the paragraphs of bench/limits.md, keyed by the figure named in
    their `## ` heading."""
    path = os.path.join(ROOT, "bench", "limits.md")
    if not os.path.exists(path):
        return {}
    limits, name, body = {}, None, []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("## "):
                if name:
                    limits[name] = " ".join(body).strip()
                name, body = line[3:].strip(), []
            elif name:
                body.append(line.strip())
    if name:
        limits[name] = " ".join(body).strip()
    return limits


METHOD = """
- Plugin dispatch: `crm-bench dispatch event|rule|event5 CALLS RUNS` loads a stored account, builds its
  payload and calls one trivial hook (or rule, or the same event with 5 plugins) through the Lua host
  with its sandbox, limits and result checks; `bench/baselines/dispatch.c` calls a Lua function from C
  with a fresh 12-field table. Both print the median of their runs in nanoseconds per call. The
  instruction counts come from `valgrind --tool=callgrind`: the difference between a run of
  {callgrind_high} calls and one of {callgrind_low} calls, divided by {callgrind_calls}, so that
  start-up cancels out; they do not depend on the machine's load.
- Import: `scripts/gen_sirene.py` writes a SIRENE file of {import_rows} rows, of which {import_imported}
  are valid. `crm import accounts` runs on a copy of a database made by `crm init`, with the bundled
  plugins, then on a copy that also has a pack with one `onAccountCreated` hook.
  `bench/baselines/bulk_insert.c` inserts {import_imported} accounts into a copy of the same empty
  database (same table, same indexes), in one transaction through one prepared statement, WAL,
  synchronous NORMAL. Times are whole processes, start to exit.
- Reads: `bench/seed.sql`, run by the sqlite3 shell on a database made by `crm init`, adds {reps} sales
  reps and the accounts, opportunities and activities. Each read command runs once with
  `--trace-sql --debug`; the statements it printed, with their values, become a sqlite3 shell script
  (values bound with `.parameter set`, so the query plans are those of bound parameters). The
  baseline is `sqlite3 -batch` running that script on the same file: the same PRAGMAs, the same
  queries. Times are whole processes, start to exit, output discarded. The list ran
  {read_statements} statements, the pipeline {pipeline_statements}, the follow-up list
  {followup_statements}. The follow-ups are listed as `rep1`, the pipeline and the list as the
  administrator; the business date is {today}.
- Growth: the same follow-up list on databases with the same accounts and fewer activities.
- Quote send: `crm-bench quote-send SENDS RUNS` writes SENDS drafts of three lines per run, then times
  `Quotes.send` on each with the real Lua host and the bundled plugins (the `quoteNumber` rule
  numbers it, `onQuoteSent` fires, one transaction commits). `bench/baselines/commits.c` commits one
  INSERT per transaction, WAL, synchronous NORMAL.
- Memory: peak resident set size of each process as GNU time reports it (`/usr/bin/time -f %M`), in
  runs separate from the timed ones. The smaller import of {import_rows} rows is the median of 3
  runs; the list and the shell are the medians of 3 interleaved runs each.
"""




def main():
    parser = argparse.ArgumentParser(description="Measure crm beside raw SQLite and raw Lua.")
    parser.add_argument("--bin", required=True, help="folder with the release build of crm and crm-bench")
    parser.add_argument("--quick", action="store_true", help="reduced sizes, for development")
    parser.add_argument("--output", help="write the Markdown record of the run to this file")
    parser.add_argument("--swift", default="swift", help="the swift driver, for its version")
    parser.add_argument("--keep", action="store_true", help="keep the work folder with its databases")
    arguments = parser.parse_args()

    started = time.perf_counter()
    started_load = os.getloadavg()[0]
    work = tempfile.mkdtemp(prefix="crm-bench-run-")
    try:
        bench = Bench(os.path.abspath(arguments.bin), QUICK if arguments.quick else FULL, work, arguments.quick)
        bench.compile_baselines()
        print("%-24s %12s %12s %8s  %s" % ("figure", "product", "baseline", "ratio", "target"), flush=True)
        bench.bench_dispatch()
        bench.bench_quote_send()
        bench.bench_import()
        bench.bench_reads()
        if arguments.output:
            write_record(arguments.output, bench, machine_facts(arguments.swift), started_load,
                         os.getloadavg()[0], time.perf_counter() - started, arguments.quick)
            log("wrote " + arguments.output)
    except BenchError as error:
        log("error: %s" % error)
        return 1
    finally:
        if arguments.keep:
            log("kept the work folder " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    missed = [figure.name for figure in bench.figures if not figure.met]
    log("%d figures, %d targets missed%s, %.0f s" % (len(bench.figures), len(missed),
                                                       (": " + ", ".join(missed)) if missed else "",
                                                       time.perf_counter() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
