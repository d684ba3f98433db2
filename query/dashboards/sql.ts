// Where custom dashboards are stored (table in 0009_dashboards.sql): insert-only versioned
// documents, read with the SQL of every such document (query/versioned-documents.ts).
import type { DocumentTable } from '../versioned-documents.ts';

export const DASHBOARDS: DocumentTable = { table: 'vigil_dashboards', body: 'Dashboard' };
