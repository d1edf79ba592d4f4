// Every workspace package's main, types, exports and bin name a file the build produces
// (`npm test` builds first; alone, run `npm run build` before this file).
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const workspaces = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).workspaces

// Every string leaf of an exports/bin map is a path (conditions and subpaths are keys).
const leaves = (v) => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(leaves) : [])

describe.each(workspaces)('%s', (dir) => {
  const pkg = JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'))
  const targets = [pkg.main, pkg.types, ...leaves(pkg.exports), ...leaves(pkg.bin)].filter((t) => t !== undefined)

  it('names an entry point', () => expect(targets.length).toBeGreaterThan(0))
  it.each(targets)('%s exists after the build', (target) => {
    expect(existsSync(path.join(root, dir, target))).toBe(true)
  })
})
