// Sortable table headers (client-side sort of what is loaded).
import type { ComponentChildren } from 'preact';

export interface SortState<K extends string> {
  key: K;
  desc: boolean;
}

export function SortHeader<K extends string>({ k, sort, onSort, children, class: cls }: { k: K; sort: SortState<K>; onSort: (s: SortState<K>) => void; children: ComponentChildren; class?: string }) {
  const active = sort.key === k;
  return (
    <th class={cls} aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" class="sort" onClick={() => onSort({ key: k, desc: active ? !sort.desc : true })}>
        {children}
        <span aria-hidden="true">{active ? (sort.desc ? ' ▼' : ' ▲') : ''}</span>
      </button>
    </th>
  );
}

export function sortBy<T, K extends string>(items: readonly T[], sort: SortState<K>, value: (item: T, key: K) => number | string): T[] {
  const dir = sort.desc ? -1 : 1;
  return [...items].sort((a, b) => {
    const x = value(a, sort.key);
    const y = value(b, sort.key);
    return (x < y ? -1 : x > y ? 1 : 0) * dir;
  });
}
