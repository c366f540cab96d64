import { createBrowserRouter } from 'react-router';
import { RequireAdmin, RequireUser } from './auth/RequireUser';
import { SignInPage } from './auth/SignInPage';
import { MyOrdersPage } from './orders/MyOrdersPage';
import { OrderPage } from './orders/OrderPage';
import { TicketsPage } from './tickets/TicketsPage';
import { Layout } from './ui/Layout';

/** Every page of the client. */
export const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/sign-in', element: <SignInPage /> },
      {
        element: <RequireUser />,
        children: [
          { path: '/', element: <TicketsPage /> },
          { path: '/orders', element: <MyOrdersPage /> },
          { path: '/orders/:id', element: <OrderPage /> },
          {
            element: <RequireAdmin />,
            children: [
              // The dashboard and its chart library load only for admins who open it.
              {
                path: '/admin',
                lazy: () =>
                  import('./admin/AdminDashboardPage').then((page) => ({
                    Component: page.AdminDashboardPage,
                  })),
              },
              {
                path: '/admin/orders/:orderId',
                lazy: () =>
                  import('./admin/AdminOrderPage').then((page) => ({ Component: page.AdminOrderPage })),
              },
            ],
          },
        ],
      },
      { path: '*', element: <p>There is no such page.</p> },
    ],
  },
]);
