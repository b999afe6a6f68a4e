#!/usr/bin/env bash
# A real Slurm test of cocoprep's cluster layer: a one-node Slurm cluster (munged, slurmctld,
# slurmd as plain background daemons, no systemd) runs `cocoprep features butd` as a 4-task
# array job made by `--emit slurm --shards 4`. It checks that
#   - every shard leaves its done marker and the merged tree is byte-identical to a
#     single-process run;
#   - a shard cancelled while running (scancel JOB_2) leaves no marker, `cocoprep status`
#     asks for `--array=2`, and a re-submitted whole array redoes shard 2 alone (the others
#     exit at once with "already done"), again giving the single-process tree;
#   - `cocoprep webdata --shard-from-env` as a 4-task `sbatch --array=0-3` over a URL list
#     served by a loopback Python http.server (the repository's fixture JPEGs, some 404s,
#     some non-image bodies) writes the same shards as a single-process run: every shard's
#     stats equal (counts and reasons), the same tar members, every row exactly once.
#
# Needs root and apt (it installs Debian's slurm-wlm and munge when missing); otherwise it
# prints `slurm test skipped: <reason>` and exits 0. Any failure exits 1 with the reason.
#
# Environment:
#   COCOPREP_BIN      cocoprep binary [target/release/cocoprep, built when missing]
#   SLURM_TEST_ROWS   TSV rows to convert [1000]
#   SLURM_TEST_URLS   URL rows of the webdata array [240]
#   SLURM_TEST_PORT   slurmctld port; slurmd uses the next one [16817]
#   SLURM_TEST_KEEP   1: keep the temporary folder (configuration, logs, outputs)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

started=$SECONDS
step() { printf '== [%3ds] %s\n' $((SECONDS - started)) "$*"; }
skip() {
    echo "slurm test skipped: $*"
    exit 0
}
fail() {
    echo "slurm test FAILED: $*" >&2
    exit 1
}

# ---------------------------------------------------------------------------------------
# Packages

[[ $(id -u) == 0 ]] || skip "not root (the test starts Slurm daemons and may install packages)"
missing=()
for command in munged slurmctld slurmd sbatch; do
    command -v "$command" >/dev/null || missing+=("$command")
done
if ((${#missing[@]})); then
    command -v apt-get >/dev/null || skip "no apt-get to install slurm-wlm and munge (missing: ${missing[*]})"
    step "installing slurm-wlm and munge (missing: ${missing[*]})"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null 2>&1 || skip "apt-get update failed (no Debian mirror?)"
    apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null 2>&1 ||
        skip "slurm packages unavailable (apt-get install slurm-wlm munge failed)"
fi

# ---------------------------------------------------------------------------------------
# A private one-node cluster under a temporary folder

work=$(mktemp -d /tmp/cocoprep-slurm.XXXXXX)
chmod 0755 "$work"
daemon_pids=()
status=0

print_logs() {
    local log
    for log in "$work"/log/*.log; do
        [[ -s $log ]] || continue
        echo "--- last lines of $log" >&2
        tail -n 15 "$log" >&2
    done
}

stop_cluster() {
    status=$?
    trap - EXIT INT TERM
    set +e
    if [[ -n ${SLURM_CONF:-} ]] && [[ -n ${ctld_pid:-} ]] && kill -0 "$ctld_pid" 2>/dev/null; then
        # Running job steps belong to slurmstepd processes, not to the daemons: cancel them
        # through Slurm so that nothing keeps running once the daemons are gone.
        scancel --quiet --user="$(id -un)" 2>/dev/null
        for _ in {1..20}; do
            [[ -z $(squeue -h -o %i 2>/dev/null) ]] && break
            sleep 0.5
        done
    fi
    local pid
    for pid in "${daemon_pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null
    done
    for pid in "${daemon_pids[@]}"; do
        for _ in {1..20}; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.25
        done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    if ((status != 0)); then
        print_logs
        echo "slurm test: logs, configuration and outputs kept in $work" >&2
    elif [[ ${SLURM_TEST_KEEP:-0} == 1 ]]; then
        echo "slurm test: kept $work"
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap stop_cluster EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_cluster() {
    local node ctld_port slurmd_port node_line
    node=$(hostname -s)
    ctld_port=${SLURM_TEST_PORT:-16817}
    slurmd_port=$((ctld_port + 1))
    for port in "$ctld_port" "$slurmd_port"; do
        port_in_use "$port" && fail "port $port is in use (set SLURM_TEST_PORT to another one)"
    done
    # `slurmd -C` prints this machine as a node line: NodeName=... CPUs=... RealMemory=...
    node_line=$(slurmd -C | head -n 1)
    [[ $node_line == NodeName=* ]] || fail "slurmd -C printed no node line: $node_line"
    mkdir -p "$work"/{etc,log,munge,state,spool,jobs}
    chmod 0711 "$work/munge"

    # munge: a fresh key, a private socket
    dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
    chmod 0400 "$work/munge/munge.key"
    munge_socket=$work/munge/munge.socket
    munged --foreground --force --socket="$munge_socket" --key-file="$work/munge/munge.key" \
        --log-file="$work/log/munged.log" --pid-file="$work/munge/munged.pid" \
        --seed-file="$work/munge/munged.seed" >>"$work/log/munged.log" 2>&1 &
    daemon_pids+=($!)
    for _ in {1..40}; do
        [[ -S $munge_socket ]] && break
        sleep 0.25
    done
    munge -n -S "$munge_socket" | unmunge -S "$munge_socket" >/dev/null ||
        fail "munged does not answer on $munge_socket"

    cat >"$work/etc/slurm.conf" <<EOF
ClusterName=cocoprep-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$munge_socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool/%n
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# containers have no usable cgroups
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
MinJobAge=600
KillWait=2
$node_line NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF=$work/etc/slurm.conf

    slurmctld -D -i -f "$SLURM_CONF" >>"$work/log/slurmctld.out" 2>&1 &
    ctld_pid=$!
    daemon_pids+=("$ctld_pid")
    slurmd -D -f "$SLURM_CONF" >>"$work/log/slurmd.out" 2>&1 &
    daemon_pids+=($!)

    local state=""
    for _ in {1..120}; do
        state=$(sinfo -h -N -n "$node" -o %T 2>/dev/null || true)
        [[ $state == idle ]] && break
        kill -0 "$ctld_pid" 2>/dev/null || fail "slurmctld exited (see $work/log/slurmctld.log)"
        sleep 0.5
    done
    [[ $state == idle ]] || fail "node $node is not idle after 60 s (state: ${state:-none})"
    step "cluster up: node $node idle ($(sed -E 's/.*(CPUs=[0-9]+).*(RealMemory=[0-9]+).*/\1 \2/' <<<"$node_line")), slurmctld :$ctld_port"
}

# ---------------------------------------------------------------------------------------
# Job helpers

# submit SCRIPT [SBATCH-OPTIONS...]: prints the job id
submit() {
    local script=$1
    shift
    sbatch --parsable "$@" "$script" | cut -d';' -f1
}

# task_state JOB INDEX: state of one array task (PENDING, RUNNING, COMPLETED, CANCELLED, ...)
task_state() {
    scontrol -o show job "$1_$2" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n 1 | cut -d= -f2
}

# wait_for_job JOB [SECONDS]: until no task of the array is pending, running or completing
wait_for_job() {
    local job=$1 limit=${2:-120} waited=0
    while [[ -n $(squeue -h -j "$job" -o %i 2>/dev/null) ]]; do
        ((waited < limit * 4)) || fail "job $job still running after ${limit} s"
        sleep 0.25
        waited=$((waited + 1))
    done
}

# wait_until_running JOB INDEX: until the task runs (fails if it ends first)
wait_until_running() {
    local job=$1 index=$2 state
    for _ in {1..480}; do
        state=$(task_state "$job" "$index")
        case $state in
            RUNNING) return 0 ;;
            PENDING | CONFIGURING | "") sleep 0.1 ;;
            *) fail "task ${job}_$index ended ($state) before it could be cancelled" ;;
        esac
    done
    fail "task ${job}_$index did not start within 48 s"
}

# stop_task_process JOB INDEX: finds the cocoprep process of array task JOB_INDEX (by its
# SLURM_ARRAY_* environment) and stops it with SIGSTOP, so that a cancel always reaches a
# shard that is still running however fast the machine is (scancel sends SIGCONT, then
# SIGTERM). Returns 1 when the task ends before its process is found.
stop_task_process() {
    local job=$1 index=$2 process state
    for _ in {1..3000}; do
        for process in $(pgrep -x "$(basename "$bin")"); do
            grep -qzx "SLURM_ARRAY_JOB_ID=$job" "/proc/$process/environ" 2>/dev/null || continue
            grep -qzx "SLURM_ARRAY_TASK_ID=$index" "/proc/$process/environ" 2>/dev/null || continue
            kill -STOP "$process" 2>/dev/null && return 0
        done
        state=$(task_state "$job" "$index")
        case $state in
            PENDING | CONFIGURING | RUNNING | "") sleep 0.01 ;;
            *) return 1 ;;
        esac
    done
    return 1
}

# task_states JOB: "INDEX STATE EXIT" for every task, sorted by index
task_states() {
    scontrol -o show job "$1" | sed -E 's/.*ArrayTaskId=([0-9]+).*JobState=([A-Z_]+).*ExitCode=([0-9:]+).*/\1 \2 \3/' | sort -n
}

# ---------------------------------------------------------------------------------------
# 0. Slurm itself: a 4-task array, one task cancelled while running, re-submitted alone

slurm_smoke_test() {
    local folder=$work/smoke job states
    mkdir -p "$folder"
    cat >"$folder/job.sbatch" <<EOF
#!/bin/bash
#SBATCH --job-name=smoke
#SBATCH --array=0-3
#SBATCH --output=$folder/task-%a.log
#SBATCH --cpus-per-task=1
# exec: one process, which the cancel kills (bash itself may outlive the signal)
if [[ \$SLURM_ARRAY_TASK_ID == 2 && ! -e $folder/resubmitted ]]; then exec sleep 60; fi
echo "task \$SLURM_ARRAY_TASK_ID of \$SLURM_ARRAY_TASK_COUNT" >$folder/done-\$SLURM_ARRAY_TASK_ID
EOF
    job=$(submit "$folder/job.sbatch")
    wait_until_running "$job" 2
    scancel "${job}_2" || fail "scancel ${job}_2 failed"
    wait_for_job "$job" 60
    states=$(task_states "$job" | tr '\n' ' ')
    [[ $states == "0 COMPLETED 0:0 1 COMPLETED 0:0 2 CANCELLED "*" 3 COMPLETED 0:0 " ]] ||
        fail "smoke array $job: unexpected task states: $states"
    [[ -e $folder/done-0 && -e $folder/done-1 && -e $folder/done-3 && ! -e $folder/done-2 ]] ||
        fail "smoke array $job: wrong files: $(ls "$folder")"
    touch "$folder/resubmitted"
    job=$(submit "$folder/job.sbatch" --array=2)
    wait_for_job "$job" 60
    [[ $(cat "$folder/done-2") == "task 2 of 1" ]] || fail "smoke re-submit $job: task 2 did not run"
    step "slurm works: 4-task array, task 2 cancelled while running, re-submitted alone"
}

# ---------------------------------------------------------------------------------------
# cocoprep features butd as an array job

# The binary; checked before the cluster starts so that a wrong one is reported early.
bin=${COCOPREP_BIN:-target/release/cocoprep}
if [[ ! -x $bin ]]; then
    [[ -z ${COCOPREP_BIN:-} ]] || fail "COCOPREP_BIN=$bin is not an executable"
    step "building $bin (cargo build --release -p cocoprep)"
    cargo build --release --locked --quiet -p cocoprep || fail "cargo build --release failed"
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
butd_help=$("$bin" features butd --help 2>&1) || fail "$bin features butd --help failed"
grep -q -- '--emit' <<<"$butd_help" ||
    fail "$bin features butd has no --emit (the cluster flags); build it from this tree"
webdata_help=$("$bin" webdata --help 2>&1) || fail "$bin webdata --help failed (build it from this tree)"
grep -q -- '--shard-from-env' <<<"$webdata_help" || fail "$bin webdata has no --shard-from-env"

step "starting munged, slurmctld, slurmd in $work"
start_cluster
slurm_smoke_test

python=${COCOPREP_TEST_PYTHON:-python3}
command -v "$python" >/dev/null || fail "no python3 to write the input TSV"
rows=${SLURM_TEST_ROWS:-1000}
input=$work/input/rows.tsv
mkdir -p "$work/input" "$work/logs"
golden=$repo/../shared/golden/butd/trainval
if [[ -d $golden ]]; then
    "$python" scripts/make_butd_rows.py "$input" "$rows" "$golden"
    source_text="the golden BUTD rows of ../shared ($rows rows, ids renumbered, boxes shuffled)"
else
    "$python" scripts/make_butd_rows.py "$input" "$rows"
    source_text="$rows synthetic rows (no ../shared)"
fi
step "input: $source_text, $(du -m "$input" | cut -f1) MB"

reference=$work/reference
section_started=$SECONDS
"$bin" features butd "$input" --output-dir "$reference/cocobu" --quiet ||
    fail "single-process reference run failed"
reference_count=$(find "$reference/cocobu_att" -type f | wc -l)
((reference_count == rows)) || fail "reference run wrote $reference_count att files, expected $rows"
step "reference: single-process run wrote $reference_count images in $((SECONDS - section_started)) s"

# job_script OUTPUT: writes the array job script for OUTPUT/cocobu, prints its path
job_script() {
    local output=$1 script=$1.sbatch
    "$bin" features butd "$input" --output-dir "$output/cocobu" --jobs 1 --emit slurm --shards 4 >"$script" ||
        fail "cocoprep features butd --emit slurm --shards 4 failed"
    grep -q -- '--array=0-3' "$script" || fail "job script $script asks for no --array=0-3"
    echo "$script"
}

# submit_array SCRIPT NAME [SBATCH-OPTIONS...]: the job's id. One CPU per task so that the
# two-core test node runs two shards at a time; the log of task I is logs/NAME-I.log.
submit_array() {
    local script=$1 name=$2
    shift 2
    submit "$script" --cpus-per-task=1 --mem=1G --time=10 \
        --output="$work/logs/$name-%a.log" "$@"
}

# marker OUTPUT INDEX: the done marker of shard INDEX/4 (empty when there is none)
marker() {
    compgen -G "$1/.cocoprep-jobs/*/shard-$2-of-4.done" | head -n 1 || true
}

# same_as_reference OUTPUT: every att/fc/box file byte-identical, none missing or extra.
# Temporaries (`.<id>.npz.tmp-<pid>-<n>`) are not outputs: they are left out of the
# comparison and listed in $leftover_temporaries, which the callers require to be empty.
same_as_reference() {
    local kind
    for kind in att fc box; do
        diff -r -q -x '.*.tmp-*' "$reference/cocobu_$kind" "$1/cocobu_$kind" >&2 ||
            fail "$1/cocobu_$kind differs from the single-process output"
    done
    leftover_temporaries=$(find "$1"/cocobu_{att,fc,box} -name '.*.tmp-*' -printf '%f ')
    leftover_temporaries=${leftover_temporaries% }
}

indent() { sed 's/^/    | /'; }

image_count() { find "$1/cocobu_att" -type f -name '*.npz' 2>/dev/null | wc -l; }

# --- 1. the whole array
output=$work/array
script=$(job_script "$output")
section_started=$SECONDS
job=$(submit_array "$script" array)
step "array: submitted job $job (the script of --emit slurm --shards 4, 4 tasks of 1 CPU)"
wait_for_job "$job" 120
states=$(task_states "$job" | tr '\n' ' ')
[[ $states == "0 COMPLETED 0:0 1 COMPLETED 0:0 2 COMPLETED 0:0 3 COMPLETED 0:0 " ]] ||
    fail "array job $job: task states: $states (logs in $work/logs)"
for index in 0 1 2 3; do
    [[ -n $(marker "$output" "$index") ]] || fail "array job $job: shard $index/4 left no done marker"
done
same_as_reference "$output"
[[ -z $leftover_temporaries ]] || fail "array job $job left temporaries: $leftover_temporaries"
step "array: 4 shards done in $((SECONDS - section_started)) s, 4 markers, $(image_count "$output") images byte-identical to the reference"

# --- 2. a shard cancelled while it runs, then the whole array re-submitted
# Shard 2's process is stopped (SIGSTOP) as soon as it exists, then cancelled: on a fast
# machine a shard of 1000 rows ends in half a second, sooner than any sleep-then-scancel.
# When it ends before it is found (the poll missed it), the section starts again.
section_started=$SECONDS
for attempt in 1 2 3; do
    output=$work/killed-$attempt
    script=$(job_script "$output")
    job=$(submit_array "$script" killed)
    if stop_task_process "$job" 2; then
        break
    fi
    wait_for_job "$job" 120
    ((attempt < 3)) || fail "shard 2 of 3 arrays ended before its process could be stopped"
    step "kill: shard 2 of job $job ended before its process could be stopped; again"
done
scancel "${job}_2" || fail "scancel ${job}_2 failed"
step "kill: job $job, task 2 stopped and cancelled while running ($(image_count "$output") images written by then)"
wait_for_job "$job" 120
states=$(task_states "$job" | tr '\n' ' ')
[[ $states == *" 2 COMPLETED "* ]] &&
    fail "shard 2 finished although it was stopped before scancel (task states: $states)"
[[ $states == "0 COMPLETED 0:0 1 COMPLETED 0:0 2 CANCELLED "*" 3 COMPLETED 0:0 " ]] ||
    fail "job $job after cancelling task 2: task states: $states"
[[ -z $(marker "$output" 2) ]] ||
    fail "cancelled shard 2 has a done marker"
for index in 0 1 3; do
    [[ -n $(marker "$output" "$index") ]] || fail "job $job: shard $index/4 left no done marker"
done
status_text=$("$bin" status "$output" 2>&1) &&
    fail "cocoprep status $output exits 0 with shard 2 unfinished: $status_text"
indent <<<"$status_text"
array_expression=$(grep -o -E -- '--array=[0-9,-]+' <<<"$status_text" | head -n 1 || true)
[[ $array_expression == --array=2 ]] ||
    fail "cocoprep status $output asks for \`${array_expression:-no --array}\`, expected --array=2"
markers_before=$(sha256sum "$(marker "$output" 0)" "$(marker "$output" 1)" "$(marker "$output" 3)")
step "kill: shard 2 has no marker, 0,1,3 have; cocoprep status says $array_expression"

job=$(submit_array "$script" resubmitted)
step "kill: re-submitted the whole array as job $job"
wait_for_job "$job" 120
states=$(task_states "$job" | tr '\n' ' ')
[[ $states == "0 COMPLETED 0:0 1 COMPLETED 0:0 2 COMPLETED 0:0 3 COMPLETED 0:0 " ]] ||
    fail "re-submitted job $job: task states: $states"
for index in 0 1 3; do
    grep -q "^shard $index/4 already done" "$work/logs/resubmitted-$index.log" ||
        fail "re-submitted shard $index did not say \"shard $index/4 already done\": $(cat "$work/logs/resubmitted-$index.log")"
done
grep -q "^shard 2/4 done" "$work/logs/resubmitted-2.log" ||
    fail "re-submitted shard 2 did not say \"shard 2/4 done\": $(cat "$work/logs/resubmitted-2.log")"
[[ -n $(marker "$output" 2) ]] || fail "re-submitted shard 2 left no done marker"
[[ $(sha256sum "$(marker "$output" 0)" "$(marker "$output" 1)" "$(marker "$output" 3)") == "$markers_before" ]] ||
    fail "the markers of shards 0,1,3 changed on re-submit (they should have done nothing)"
same_as_reference "$output"
# The re-run shard clears the temporaries its cancelled run left (it owns those ids).
[[ -z $leftover_temporaries ]] ||
    fail "the re-run shard 2 left the cancelled run's temporaries behind: $leftover_temporaries"
"$bin" status "$output" >/dev/null 2>&1 || fail "cocoprep status $output still reports unfinished shards"
step "kill: shards 0,1,3 said \"already done\", shard 2 re-ran alone; $(image_count "$output") images byte-identical to the reference ($((SECONDS - section_started)) s)"
for index in 0 1 2 3; do
    echo "    re-submitted task $index:"
    indent <"$work/logs/resubmitted-$index.log"
done

# ---------------------------------------------------------------------------------------
# 3. cocoprep webdata --shard-from-env as a 4-task array over a loopback HTTP server

webdata_dir=$work/webdata
mkdir -p "$webdata_dir/www"
cp fixtures/coco-sample/*/*.jpg "$webdata_dir/www/"
printf 'this is not an image\n' >"$webdata_dir/www/not-an-image.jpg"
# http.server on a free port (port 0), which it writes to a file once listening.
"$python" -c '
import functools, http.server, os, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=sys.argv[1]))
with open(sys.argv[2] + ".tmp", "w") as port:
    port.write(str(server.server_address[1]))
os.rename(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
' "$webdata_dir/www" "$webdata_dir/port" >>"$work/log/http-server.log" 2>&1 &
daemon_pids+=($!)
for _ in {1..40}; do
    [[ -s $webdata_dir/port ]] && break
    sleep 0.25
done
[[ -s $webdata_dir/port ]] || fail "the loopback http.server did not start (see $work/log/http-server.log)"
http_port=$(cat "$webdata_dir/port")
url_rows=${SLURM_TEST_URLS:-240}
mapfile -t jpegs < <(cd fixtures/coco-sample && ls ./*/*.jpg | xargs -n 1 basename)
((${#jpegs[@]} > 0)) || fail "no fixture JPEGs in fixtures/coco-sample"
# Row i: every 9th a missing file (404), every 11th a body that is no image, the others
# one of the JPEGs; `?row=i` makes every URL distinct (http.server ignores the query).
for ((i = 0; i < url_rows; i++)); do
    if ((i % 9 == 4)); then
        name=missing-$i.jpg
    elif ((i % 11 == 6)); then
        name=not-an-image.jpg
    else
        name=${jpegs[i % ${#jpegs[@]}]}
    fi
    printf 'http://127.0.0.1:%s/%s?row=%d\n' "$http_port" "$name" "$i"
done >"$webdata_dir/urls.txt"
webdata_options=(--output-format webdataset --number-sample-per-shard 25 --image-size 128
    --thread-count 8 --timeout 20 --quiet)

section_started=$SECONDS
"$bin" webdata "$webdata_dir/urls.txt" -o "$webdata_dir/reference" "${webdata_options[@]}" ||
    fail "webdata: single-process reference run failed"
webdata_shards=$(find "$webdata_dir/reference" -maxdepth 1 -name '*_stats.json' | wc -l)
step "webdata: single-process run over $url_rows URLs (http.server :$http_port) wrote $webdata_shards shards in $((SECONDS - section_started)) s"

cat >"$webdata_dir/job.sbatch" <<EOF
#!/bin/bash
#SBATCH --job-name=webdata
#SBATCH --array=0-3
exec "$bin" webdata "$webdata_dir/urls.txt" -o "$webdata_dir/array" ${webdata_options[*]} --shard-from-env --shards 4
EOF
section_started=$SECONDS
job=$(submit "$webdata_dir/job.sbatch" --cpus-per-task=1 --mem=1G --time=10 \
    --output="$work/logs/webdata-%a.log")
step "webdata: submitted job $job (sbatch --array=0-3, cocoprep webdata --shard-from-env)"
wait_for_job "$job" 180
states=$(task_states "$job" | tr '\n' ' ')
[[ $states == "0 COMPLETED 0:0 1 COMPLETED 0:0 2 COMPLETED 0:0 3 COMPLETED 0:0 " ]] ||
    fail "webdata array job $job: task states: $states (logs in $work/logs/webdata-*.log)"

# The comparison: the same shard files; each shard's stats equal but for its times; the
# same tar members; no key in two shards; the counts adding up to the input's rows.
webdata_check=$("$python" - "$webdata_dir/reference" "$webdata_dir/array" "$url_rows" 2>&1 <<'EOF'
import json, pathlib, sys, tarfile
reference, array, rows = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), int(sys.argv[3])
def shards(folder):
    return sorted(p.name for p in folder.iterdir() if p.name[:1].isdigit())
if shards(reference) != shards(array):
    sys.exit(f"shard files differ: single-process {shards(reference)}, array {shards(array)}")
def stats(path):
    data = json.loads(path.read_text())
    for timing in ("duration", "start_time", "end_time"):
        data.pop(timing, None)
    return data
def members(path):
    with tarfile.open(path) as tar:
        return [member.name for member in tar.getmembers()]
totals = {"count": 0, "successes": 0}
reasons = {}
keys = []
for name in shards(reference):
    if name.endswith("_stats.json"):
        single, sharded = stats(reference / name), stats(array / name)
        if single != sharded:
            sys.exit(f"{name}: single-process {single} != array {sharded}")
        for field in totals:
            totals[field] += sharded[field]
        for reason, count in sharded["status_dict"].items():
            reasons[reason] = reasons.get(reason, 0) + count
    elif name.endswith(".tar"):
        single, sharded = members(reference / name), members(array / name)
        if single != sharded:
            sys.exit(f"{name}: tar members differ")
        keys += sorted({member.split(".")[0] for member in sharded})
if len(keys) != len(set(keys)):
    sys.exit("a key is in two shards")
if totals["count"] != rows:
    sys.exit(f"the shards' stats count {totals['count']} rows, the input has {rows}")
if totals["successes"] != len(keys):
    sys.exit(f"{totals['successes']} successes but {len(keys)} keys in the tars")
if len(reasons) < 3:
    sys.exit(f"expected successes, 404s and decode failures, got {reasons}")
print(f"{rows} rows once each: " + ", ".join(f"{count} {reason}" for reason, count in sorted(reasons.items())))
EOF
) || fail "webdata: the array's output differs from the single-process run: $webdata_check"
status_json=$("$bin" webdata status "$webdata_dir/array" --json) ||
    fail "cocoprep webdata status reports missing shards after the array: $status_json"
step "webdata: 4 tasks done in $((SECONDS - section_started)) s; $webdata_shards shards equal to the single-process run; $webdata_check"

cat <<EOF
slurm test passed in $((SECONDS - started)) s:
  - array job submitted (sbatch script of --emit slurm --shards 4), 4 shards done, 4 done markers
  - merged output byte-identical to the single-process run ($rows images: att, fc, box)
  - shard 2 cancelled while running: no marker, \`cocoprep status\` asked for $array_expression;
    the re-submitted array redid shard 2 alone (0,1,3 "already done"), output identical again
  - cocoprep webdata --shard-from-env as sbatch --array=0-3 over a loopback server:
    $webdata_shards shards with the single-process stats and tar members; $webdata_check
EOF
