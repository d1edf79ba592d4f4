import type { ComponentChildren } from 'preact'

export interface Column<T> {
  label: string
  cell: (row: T) => ComponentChildren
  numeric?: boolean
}

/**
 * A table whose rows are focusable: Tab reaches the first row, ↑/↓ move between rows, Enter opens one
 * (when `onOpen` is given), Home/End jump.
 */
export function DataTable<T>(props: {
  rows: T[]
  columns: Column<T>[]
  rowKey: (row: T) => string
  onOpen?: (row: T) => void
  label: string
  empty?: ComponentChildren
}) {
  const { rows, columns, rowKey, onOpen, label } = props
  if (rows.length === 0) return <p class="muted">{props.empty ?? 'Nothing here.'}</p>
  const move = (e: KeyboardEvent) => {
    const tr = e.currentTarget as HTMLTableRowElement
    const target =
      e.key === 'ArrowDown'
        ? tr.nextElementSibling
        : e.key === 'ArrowUp'
          ? tr.previousElementSibling
          : e.key === 'Home'
            ? tr.parentElement?.firstElementChild
            : e.key === 'End'
              ? tr.parentElement?.lastElementChild
              : null
    if (target instanceof HTMLElement) {
      e.preventDefault()
      target.focus()
    }
  }
  return (
    <div class="table-wrap">
      <table aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.label} class={c.numeric ? 'num' : undefined} scope="col">
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={rowKey(row)}
              tabIndex={0}
              class={onOpen ? 'clickable' : undefined}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && onOpen && e.target === e.currentTarget) onOpen(row)
                else move(e)
              }}
              onClick={(e) => {
                if (onOpen && !(e.target instanceof HTMLButtonElement) && !(e.target instanceof HTMLAnchorElement))
                  onOpen(row)
              }}
            >
              {columns.map((c) => (
                <td key={c.label} class={c.numeric ? 'num' : undefined}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
