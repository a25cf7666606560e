// A real Bluesky network for Strata's tests: PLC directory, PDS and the Bluesky AppView (with the
// Ozone moderation service dev-env always starts beside it), on PostgreSQL.
// Usage: node -r ./loopback.cjs network.js POSTGRES_URL SCHEMA  → prints one JSON line when ready;
// stops on SIGTERM or when its standard input closes.
// The AppView uses the schema appview_SCHEMA and Ozone ozone_SCHEMA; the caller drops both.
// REDIS_HOST must be set (dev-env asserts it) but nothing connects to it.
const { TestNetwork } = require('@atproto/dev-env')

const [dbPostgresUrl, dbPostgresSchema] = process.argv.slice(2)

async function main () {
  const started = Date.now()
  const network = await TestNetwork.create({
    dbPostgresUrl,
    dbPostgresSchema,
    pds: { hostname: 'localhost' },
  })
  process.stdout.write(JSON.stringify({
    ready: true,
    pds: network.pds.url,
    plc: network.plc.url,
    appview: network.bsky.url,
    appviewDid: network.bsky.serverDid,
    ozone: network.ozone.url,
    startedMs: Date.now() - started,
  }) + '\n')
  let closing = false
  const stop = async () => {
    if (closing) return
    closing = true
    try { await network.close() } finally { process.exit(0) }
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  // Standard input is a pipe from the test process: when that process dies, even by SIGKILL,
  // the pipe closes and the network stops instead of living on.
  process.stdin.on('end', stop)
  // A line "process" asks the AppView to catch up with everything the PDS has sequenced
  // (dev-env's processAll): the tests send it while they wait for something to be indexed.
  let processing = false
  process.stdin.setEncoding('utf8')
  process.stdin.on('data', (chunk) => {
    if (processing || !chunk.includes('process')) return
    processing = true
    network.processAll(10000)
      .catch((err) => console.error(`processAll: ${err && err.message}`))
      .finally(() => { processing = false })
  })
  process.stdin.resume()
}

main().catch((err) => { console.error(err); process.exit(1) })
