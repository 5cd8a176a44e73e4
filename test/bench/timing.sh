# The timing part of the benchmarks (bench.sh, citus.sh), sourced: queries
# are added by label, then written into one psql script of rounds. Each
# query is timed in the server by bench.time_query() (measure.sql), RUNS
# times after one warm-up round (round 0), every query once a round, their
# order rotated each round. The not_in query is only timed (not warmed up),
# under NOT_IN_TIMEOUT.

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
