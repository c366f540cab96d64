import { NavLink, Outlet, useNavigate } from 'react-router';
import { signOut, useSignedInUser } from '../auth/session';

/** The header every page shares: where a buyer goes, the dashboard for admins, and who is signed in. */
export function Layout() {
  const user = useSignedInUser();
  const navigate = useNavigate();
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="site-header">
        <nav aria-label="Main">
          <NavLink to="/" end className="brand">
            ticketing
          </NavLink>
          {user && (
            <>
              <NavLink to="/" end>
                Tickets
              </NavLink>
              <NavLink to="/orders">My orders</NavLink>
              {user.admin && <NavLink to="/admin">Payments dashboard</NavLink>}
            </>
          )}
        </nav>
        {user ? (
          <div className="who">
            <span>
              Signed in as <strong>{user.id}</strong>
              {user.admin ? ' (admin)' : ''}
            </span>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                signOut();
                navigate('/sign-in');
              }}
            >
              Sign out
            </button>
          </div>
        ) : (
          <NavLink to="/sign-in">Sign in</NavLink>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
