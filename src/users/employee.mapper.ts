import type { EmployeeDto } from './dto/employee.dto.js';
import type { User } from './entities/user.entity.js';

export function toEmployeeDto(user: User): EmployeeDto {
  return {
    Id: user.id,
    DisplayName: user.displayName,
    Title: user.title,
    AvatarSmall: user.avatarSmall,
    ProfileUrl: user.profileUrl,
  };
}
