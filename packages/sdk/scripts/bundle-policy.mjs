// npm pack does not bundle a workspace package that is only a symlink: before packing, put a
// real copy of the built @tollgate/policy where bundleDependencies looks (this package's own
// node_modules); after packing, remove it so development resolves the workspace again.
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const sdk = fileURLToPath(new URL('..', import.meta.url))
const policy = fileURLToPath(new URL('../../policy/', import.meta.url))
const target = `${sdk}node_modules/@tollgate/policy`

rmSync(`${sdk}node_modules/@tollgate`, { recursive: true, force: true })
if (process.argv[2] === 'clean') {
  if (existsSync(`${sdk}node_modules`) && readdirSync(`${sdk}node_modules`).length === 0)
    rmSync(`${sdk}node_modules`, { recursive: true })
  process.exit(0)
}
if (!existsSync(`${policy}dist/index.js`))
  throw new Error('@tollgate/policy is not built: run `npm run build` at the repository root')
for (const file of ['package.json', 'README.md', 'dist']) {
  cpSync(`${policy}${file}`, `${target}/${file}`, { recursive: true, filter: (src) => !src.endsWith('.tsbuildinfo') })
}
