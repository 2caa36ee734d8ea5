/** The caller of a request: the user behind the API key, with the tenant that confines it. */
export interface AuthenticatedUser {
  userId: string;
  tenantId: number;
  isAdmin: boolean;
  apiKeyId: number;
}
