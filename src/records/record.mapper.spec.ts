import { describe, expect, it } from 'vitest';
import type { EmployeeDto } from '../users/dto/employee.dto.js';
import type { Contact } from './entities/contact.entity.js';
import type { Currency } from './entities/currency.entity.js';
import { ShareType } from './entities/share-type.js';
import { contactDisplayName, toContactDto, toCurrencyDto, toEntityDto } from './record.mapper.js';

const person = (overrides: Partial<Contact> = {}): Contact => ({
  id: 7,
  tenantId: 1,
  isCompany: false,
  firstName: 'Grace',
  lastName: 'Hopper',
  companyName: null,
  shareType: ShareType.ReadWrite,
  currencyAbbreviation: null,
  createdAt: new Date('2026-01-02T03:04:05.000Z'),
  ...overrides,
});

const company = (overrides: Partial<Contact> = {}): Contact =>
  person({ isCompany: true, firstName: null, lastName: null, companyName: 'Acme Corporation', ...overrides });

const euro: Currency = { abbreviation: 'EUR', title: 'Euro', symbol: '€', cultureName: 'fr-FR', isConvertable: false, isBasic: true };

const member: EmployeeDto = {
  Id: 'a1111111-1111-4111-8111-11111111111a',
  DisplayName: 'Mark Member',
  Title: null,
  AvatarSmall: null,
  ProfileUrl: null,
};

describe('contactDisplayName', () => {
  it('is "First Last" for a person', () => {
    expect(contactDisplayName(person())).toBe('Grace Hopper');
  });

  it('leaves out a missing first or last name without a stray space', () => {
    expect(contactDisplayName(person({ firstName: null }))).toBe('Hopper');
    expect(contactDisplayName(person({ lastName: '' }))).toBe('Grace');
  });

  it('is the company name for a company, even when person names are set', () => {
    expect(contactDisplayName(company())).toBe('Acme Corporation');
    expect(contactDisplayName(company({ firstName: 'Grace', lastName: 'Hopper' }))).toBe('Acme Corporation');
  });
});

describe('toCurrencyDto', () => {
  it('names every field of the contract', () => {
    expect(toCurrencyDto(euro)).toStrictEqual({
      Title: 'Euro',
      Symbol: '€',
      Abbreviation: 'EUR',
      CultureName: 'fr-FR',
      IsConvertable: false,
      IsBasic: true,
    });
  });
});

describe('toContactDto', () => {
  it('maps a shared person with every key of the contract', () => {
    const dto = toContactDto(person(), null, [], { canRead: true, canEdit: true });
    expect(dto).toStrictEqual({
      ID: 7,
      DisplayName: 'Grace Hopper',
      IsCompany: false,
      SmallFotoUrl: null,
      MediumFotoUrl: null,
      AccessList: [],
      IsPrivate: false,
      IsShared: true,
      ShareType: 1,
      Currency: null,
      CanEdit: true,
      CanDelete: true,
    });
  });

  it('fills AccessList only for a private contact', () => {
    const privateDto = toContactDto(person({ shareType: ShareType.None }), null, [member], { canRead: true, canEdit: true });
    expect(privateDto.AccessList).toEqual([member]);
    expect(privateDto.IsPrivate).toBe(true);
    expect(privateDto.IsShared).toBe(false);
    expect(privateDto.ShareType).toBe(0);

    for (const shareType of [ShareType.Read, ShareType.ReadWrite]) {
      const sharedDto = toContactDto(person({ shareType }), null, [member], { canRead: true, canEdit: true });
      expect(sharedDto.AccessList).toEqual([]);
      expect(sharedDto.IsPrivate).toBe(false);
      expect(sharedDto.IsShared).toBe(true);
      expect(sharedDto.ShareType).toBe(shareType);
    }
  });

  it('reports ShareType Read as the integer 2', () => {
    expect(toContactDto(company({ shareType: ShareType.Read }), null, [], { canRead: true, canEdit: false }).ShareType).toBe(2);
  });

  it('sets CanDelete equal to CanEdit', () => {
    const readOnly = toContactDto(company({ shareType: ShareType.Read }), null, [], { canRead: true, canEdit: false });
    expect(readOnly.CanEdit).toBe(false);
    expect(readOnly.CanDelete).toBe(false);
    const editable = toContactDto(company(), null, [], { canRead: true, canEdit: true });
    expect(editable.CanEdit).toBe(true);
    expect(editable.CanDelete).toBe(true);
  });

  it('maps a company with its currency', () => {
    const dto = toContactDto(company({ currencyAbbreviation: 'EUR' }), euro, [], { canRead: true, canEdit: true });
    expect(dto.IsCompany).toBe(true);
    expect(dto.DisplayName).toBe('Acme Corporation');
    expect(dto.Currency).toStrictEqual(toCurrencyDto(euro));
  });

  it('gives Currency null, not a missing key, without a currency', () => {
    const dto = toContactDto(person(), null, [], { canRead: true, canEdit: true });
    expect(Object.keys(dto)).toContain('Currency');
    expect(dto.Currency).toBeNull();
  });
});

describe('toEntityDto', () => {
  it('names the three fields of the contract', () => {
    expect(toEntityDto('case', 3, 'Login problems')).toStrictEqual({ EntityType: 'case', EntityId: 3, EntityTitle: 'Login problems' });
    expect(toEntityDto('opportunity', 4, 'Website')).toStrictEqual({ EntityType: 'opportunity', EntityId: 4, EntityTitle: 'Website' });
  });
});
