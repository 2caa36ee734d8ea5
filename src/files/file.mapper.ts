import type { EmployeeDto } from '../users/dto/employee.dto.js';
import type { FileDto } from './dto/file.dto.js';
import type { CrmFile } from './entities/crm-file.entity.js';

/** The download path of a file's content, absolute when a public base URL is configured. */
export function fileLocation(fileId: number, publicBaseUrl: string | null): string {
  return `${publicBaseUrl ?? ''}/api/2.0/crm/files/${fileId}/content`;
}

export function toFileDto(file: CrmFile, employees: ReadonlyMap<string, EmployeeDto>, publicBaseUrl: string | null): FileDto {
  return {
    ID: file.id,
    Name: file.name,
    Location: fileLocation(file.id, publicBaseUrl),
    Updated: file.updatedAt.toISOString(),
    UpdatedBy: employeeOf(employees, file.updatedBy),
    Created: file.createdAt.toISOString(),
    CreatedBy: employeeOf(employees, file.createdBy),
    ContentLength: file.contentLength,
    ContentType: file.contentType,
    FolderId: file.folderId,
    Version: file.version,
  };
}

/** Every referenced user is loaded beforehand; a miss is a bug in the caller, not bad input. */
export function employeeOf(employees: ReadonlyMap<string, EmployeeDto>, userId: string): EmployeeDto {
  const employee = employees.get(userId);
  if (!employee) throw new Error(`User ${userId} was not loaded for mapping.`);
  return employee;
}
