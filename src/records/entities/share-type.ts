/** Who may see a contact without being on its access list. */
export enum ShareType {
  None = 0,
  ReadWrite = 1,
  Read = 2,
}
