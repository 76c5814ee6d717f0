#!/bin/bash
# An application in another process (examples/webhook-receiver.ts) receives a signed webhook for every
# change of an Okta-shaped provisioning run (the shared workload) and survives its own 20-second
# outage with nothing lost: `bash examples/webhook-outage-demo.sh` (ports 8870 and 8976; the shared
# bench in ../shared/bench or $BENCH_DIR). Prints the comparison with the change feed last.
set -u
cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-../shared/bench}
D=$(mktemp -d); OUT=${OUT:-$(mktemp -d)}
echo "storage $D, logs $OUT"
npx tsx scripts/db-migrate.ts --local --persist-to $D > $OUT/migrate.log 2>&1
npx tsx scripts/tenant.ts create acme --json --persist-to $D > $OUT/tenant.json 2> $OUT/tenant.err
TOKEN=$(node -e 'const t=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(t.token)' $OUT/tenant.json)
npx tsx scripts/admin.ts key create --local --persist-to $D --json > $OUT/key.json 2> $OUT/key.err
KEY=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).key)' $OUT/key.json)
setsid npm start -- --port 8870 --persist-to $D --var WEBHOOK_SECRET_KEY:demo-webhook-key-0123456789abcdef0123456789 --var CURSOR_SECRET:demo-cursor-secret-0123456789abcdef0123456789 > $OUT/server.log 2>&1 &
SERVER=$!
for i in $(seq 1 180); do curl -s -o /dev/null http://127.0.0.1:8870/healthz && break; sleep 1; done
curl -s -X POST http://127.0.0.1:8870/admin/v1/webhooks -H "Host: localhost:8870" -H "Authorization: Bearer $KEY" \
  -H 'Content-Type: application/json' -d '{"url":"http://localhost:8976/webhooks","tenant":"acme"}' > $OUT/endpoint.json
echo "endpoint: $(head -c 300 $OUT/endpoint.json)"
SECRET=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).secret)' $OUT/endpoint.json)
WEBHOOK_SECRET=$SECRET PORT=8976 setsid npx tsx examples/webhook-receiver.ts > $OUT/receiver-1.out 2> $OUT/receiver-1.err &
R1=$!
sleep 5
node $BENCH_DIR/workload.mjs --base http://127.0.0.1:8870/scim/v2 --token $TOKEN --host acme.localhost:8870 \
  --users 150 --groups 5 --concurrency 8 --label demo > $OUT/workload.out 2>&1 &
W=$!
sleep 2; kill -- -$R1; echo "$(date +%T) receiver down (outage)"
sleep 20
WEBHOOK_SECRET=$SECRET PORT=8976 setsid npx tsx examples/webhook-receiver.ts > $OUT/receiver-2.out 2> $OUT/receiver-2.err &
R2=$!; echo "$(date +%T) receiver back"
wait $W; echo "workload exit $?"
# Until nothing new has arrived for 45 s (at most 8 minutes).
last=-1; still=0
for i in $(seq 1 96); do
  n=$(cat $OUT/receiver-1.out $OUT/receiver-2.out 2>/dev/null | grep -c '^{')
  if [ "$n" = "$last" ]; then still=$((still+5)); else still=0; last=$n; fi
  [ $still -ge 45 ] && break
  sleep 5
done
echo "$(date +%T) deliveries settled at $last"
kill -- -$R2
npx tsx scripts/events.ts acme --since 2000-01-01 --json --persist-to $D > $OUT/feed.jsonl 2> $OUT/feed.err
curl -s "http://127.0.0.1:8870/admin/v1/webhooks/$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).endpoint.id)' $OUT/endpoint.json)/attempts?limit=500" -H "Host: localhost:8870" -H "Authorization: Bearer $KEY" > $OUT/attempts.json
kill -- -$SERVER; wait $SERVER 2>/dev/null
echo "webhook attempts (attempt, outcome, count):"
npx wrangler d1 execute DB --local --persist-to $D --json \
  --command "SELECT attempt, coalesce(status, error) AS outcome, count(*) AS n FROM webhook_attempts GROUP BY 1, 2" 2>/dev/null |
  node -e 'let s="";process.stdin.on("data",(d)=>{s+=d}).on("end",()=>{for(const r of JSON.parse(s)[0].results)console.log(JSON.stringify(r))})'
node -e '
const fs=require("fs");const O=process.argv[1];
const ids=f=>fs.readFileSync(O+"/"+f,"utf8").split("\n").filter(Boolean).filter(l=>l.startsWith("{")).map(l=>JSON.parse(l).id);
const r1=ids("receiver-1.out"), r2=ids("receiver-2.out");
const skipped=f=>fs.readFileSync(O+"/"+f,"utf8").split("\n").filter(l=>l.startsWith("stale: ")).map(l=>l.split(" ")[1]);
const stale=[...skipped("receiver-1.err"),...skipped("receiver-2.err")];
const feed=fs.readFileSync(O+"/feed.jsonl","utf8").split("\n").filter(Boolean).map(l=>JSON.parse(l).id);
const got=new Set([...r1,...r2,...stale]);
const missing=feed.filter(id=>!got.has(id));
console.log(JSON.stringify({feedEvents:feed.length, appliedBeforeOutage:r1.length, appliedAfter:r2.length, skippedAsStale:stale.length, distinctReceived:got.size, missing:missing.length, extra:[...got].filter(i=>!feed.includes(i)).length}));
' $OUT
