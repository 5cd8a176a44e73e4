# What the benchmarks (bench.sh, citus.sh) share, sourced: their options,
# and their timing: queries are added by label, then written into a psql
# script of rounds. Each
# query is timed in the server by bench.time_query() (measure.sql), RUNS
# times after one warm-up round (round 0), every query once a round, their
# order rotated each round. The not_in query is only timed (not warmed up),
# under NOT_IN_TIMEOUT.

# The options both benchmarks take, into scale and runs (defaults: default,
# 3); the caller checks the scale.
bench_options() {  # arguments...
    scale=default
    runs=3
    while [ $# -gt 0 ]; do
        case $1 in
            --scale) scale=$2; shift 2 ;;
            --scale=*) scale=${1#--scale=}; shift ;;
            --runs) runs=$2; shift 2 ;;
            --runs=*) runs=${1#--runs=}; shift ;;
            small|default|large) scale=$1; shift ;;
            [0-9]*) runs=$1; shift ;;
            *) echo "usage: $0 [--scale small|default|large] [--runs N]" >&2; exit 2 ;;
        esac
    done
}

labels=()
declare -A query options
add_query() {  # label sql [guarded undo]
    labels+=("$1")
    query[$1]=$2
    options[$1]=${3:-false, false}
}

# The rounds of every query added (or only the round given), as a psql
# script on stdout.
timing_script() {  # runs [round]
    local runs=$1 round count i label
    echo "SET search_path = public, bench;"
    for ((round = ${2:-0}; round <= ${2:-$runs}; round++)); do
        echo "\\echo '  round $round of $runs$( ((round)) || echo ' (warm-up, not counted)')'"
        count=${#labels[@]}
        for ((i = 0; i < count; i++)); do
            label=${labels[(i + round) % count]}
            if [ "$label" = not_in ]; then
                # Only timed (not warmed up): a timeout costs NOT_IN_TIMEOUT each time.
                ((round)) || continue
                echo "SET statement_timeout = '${not_in_timeout:-60s}';"
            fi
            printf 'SELECT bench.time_query(%s, %d, $q$%s$q$, %s);\n' \
                "'$label'" "$round" "${query[$label]}" "${options[$label]}"
            [ "$label" != not_in ] || echo "RESET statement_timeout;"
        done
    done
}
