import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';

/** A mutation after which the list under `key` is fetched again, whether it worked or not. */
export function useRefreshingMutation<TVariables, TData>(
  key: QueryKey,
  mutationFn: (variables: TVariables) => Promise<TData>,
  onError?: (error: unknown) => void,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSettled: () => queryClient.invalidateQueries({ queryKey: key }),
    onError,
  });
}
