import { Navigate, Outlet, useLocation } from 'react-router';
import { useSignedInUser } from './session';

/** Pages for signed-in users; others go to the sign-in page and come back after. */
export function RequireUser() {
  const user = useSignedInUser();
  const location = useLocation();
  if (!user) return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  return <Outlet />;
}

/** Pages for admins only. The API checks the role on every call; this only spares others a broken page. */
export function RequireAdmin() {
  const user = useSignedInUser();
  if (!user?.admin) {
    return (
      <section>
        <h1>Not available</h1>
        <p>The payments dashboard is for administrators.</p>
      </section>
    );
  }
  return <Outlet />;
}
