import { useQuery } from '@tanstack/react-query';

/** The entry point's `/config.json`: how to sign in and how cards are entered. */
export interface ClientSettings {
  signIn: 'development' | 'token';
  identityProviderUrl: string | null;
  stripePublishableKey: string | null;
  stripeFakeUrl: string | null;
}

export function useClientSettings() {
  return useQuery({
    queryKey: ['client-settings'],
    queryFn: async (): Promise<ClientSettings> => {
      const response = await fetch('/config.json');
      if (!response.ok) throw new Error(`The client's settings could not be read (${response.status})`);
      return (await response.json()) as ClientSettings;
    },
    staleTime: Infinity,
  });
}
