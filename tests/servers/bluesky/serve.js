// A real Bluesky PLC directory and PDS for Strata's tests (no AppView).
// Usage: node -r ./loopback.cjs serve.js PLC_PORT PDS_PORT  → prints one JSON line when ready.
const { TestNetworkNoAppView } = require('@atproto/dev-env')

const [plcPort, pdsPort] = process.argv.slice(2).map(Number)

async function main () {
  const network = await TestNetworkNoAppView.create({
    plc: { port: plcPort },
    pds: { port: pdsPort, hostname: 'localhost' },
  })
  process.stdout.write(JSON.stringify({ ready: true, pds: network.pds.url, plc: network.plc.url }) + '\n')
  const stop = async () => { await network.close(); process.exit(0) }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main().catch((err) => { console.error(err); process.exit(1) })
