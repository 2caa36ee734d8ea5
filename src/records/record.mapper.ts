import type { RecordPermissions } from './access/access-policy.js';
import type { EmployeeDto } from '../users/dto/employee.dto.js';
import type { ContactDto } from './dto/contact.dto.js';
import type { CurrencyDto } from './dto/currency.dto.js';
import type { EntityDto } from './dto/entity.dto.js';
import type { Contact } from './entities/contact.entity.js';
import type { Currency } from './entities/currency.entity.js';
import type { EntityRecordType } from './entities/record-type.js';
import { ShareType } from './entities/share-type.js';

export function contactDisplayName(contact: Pick<Contact, 'isCompany' | 'firstName' | 'lastName' | 'companyName'>): string {
  if (contact.isCompany) return contact.companyName ?? '';
  return [contact.firstName, contact.lastName].filter((part) => part).join(' ');
}

export function toCurrencyDto(currency: Currency): CurrencyDto {
  return {
    Title: currency.title,
    Symbol: currency.symbol,
    Abbreviation: currency.abbreviation,
    CultureName: currency.cultureName,
    IsConvertable: currency.isConvertable,
    IsBasic: currency.isBasic,
  };
}

export function toContactDto(
  contact: Contact,
  currency: Currency | null,
  accessList: EmployeeDto[],
  permissions: RecordPermissions,
): ContactDto {
  const isPrivate = contact.shareType === ShareType.None;
  return {
    ID: contact.id,
    DisplayName: contactDisplayName(contact),
    IsCompany: contact.isCompany,
    SmallFotoUrl: null,
    MediumFotoUrl: null,
    AccessList: isPrivate ? accessList : [],
    IsPrivate: isPrivate,
    IsShared: !isPrivate,
    ShareType: contact.shareType,
    Currency: currency ? toCurrencyDto(currency) : null,
    CanEdit: permissions.canEdit,
    // Delete rights equal edit rights (docs/contract.md, "Access rules").
    CanDelete: permissions.canEdit,
  };
}

export function toEntityDto(type: EntityRecordType, id: number, title: string): EntityDto {
  return { EntityType: type, EntityId: id, EntityTitle: title };
}
