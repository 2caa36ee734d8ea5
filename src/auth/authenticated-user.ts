import type { EmployeeDto } from '../users/dto/employee.dto.js';

/** The caller of a request: the user behind the API key, with the tenant that confines it. */
export interface AuthenticatedUser {
  userId: string;
  tenantId: number;
  isAdmin: boolean;
  apiKeyId: number;
  /** The caller as responses name it (`CreateBy` of what the request creates), read with the key. */
  employee: EmployeeDto;
}
