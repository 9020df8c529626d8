#!/bin/bash
# A Claude-like stream-json writer light enough to run 200 at once (bash, no node): the init line
# at once, carrying its own write time ("t", $EPOCHREALTIME: the truth a first-output time is judged
# against), then after FIRST_S one assistant line of 5 words every INTERVAL_S (5 / 0.125 s = 40
# tokens/s), LINES of them, then the result line. `read -t` on a pipe nobody writes sleeps without
# forking a `sleep` per line.
first_s=$1 interval_s=$2 lines=$3
exec 3<> <(:)
printf '{"type":"system","subtype":"init","session_id":"bench","model":"claude-sonnet-4-20250514","tools":[],"t":"%s"}\n' "$EPOCHREALTIME"
read -r -t "$first_s" -u 3
text='{"type":"assistant","message":{"id":"msg_bench","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[{"type":"text","text":"alpha beta gamma delta epsilon "}],"stop_reason":null,"usage":{"input_tokens":10,"output_tokens":5}},"session_id":"bench"}'
for ((i = 0; i < lines; i++)); do
  printf '%s\n' "$text"
  read -r -t "$interval_s" -u 3
done
printf '{"type":"result","subtype":"success","is_error":false,"duration_ms":1,"num_turns":1,"result":"done","session_id":"bench","total_cost_usd":0.001,"usage":{"input_tokens":10,"output_tokens":%d}}\n' $((lines * 5))
