-- BigCommerce: a neutralized copy never talks to the live stores.
-- Disconnect every store: no request carries its token until an
-- administrator reconnects it on purpose.
UPDATE bigcommerce_instance
   SET disconnected = true,
       reconnected_on_copy = false,
       connection_state = 'unknown',
       connection_message = 'Disconnected: neutralized copy of the database';

-- Forget which hooks this database registered, and its webhook address key:
-- the live store's hooks are never counted as the copy's own.
DELETE FROM bigcommerce_webhook;
UPDATE bigcommerce_instance
   SET webhook_route_key = NULL,
       webhook_registered_at = NULL;

-- Cancel the connector's pending jobs (imports, exports, webhook events).
UPDATE queue_job
   SET state = 'cancelled',
       result = 'Cancelled: neutralized copy of the database'
 WHERE state IN ('wait_dependencies', 'pending', 'enqueued', 'started')
   AND (channel = 'root.bigcommerce'
        OR channel LIKE 'root.bigcommerce.%'
        OR model_name LIKE 'bigcommerce.%');
